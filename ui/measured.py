"""The "measured on our machines" section: predicted against measured, the error per model and GPU, and the
measurements as CSV out and in."""

from __future__ import annotations

import streamlit as st

from core.chat.charts_measured import error_table, measured_chart
from core.chat.errors import StoreError
from core.chat.measurements import from_csv, to_csv
from core.csvdata import DataFileError
from ui.i18n import lang, tr
from ui.resources import measurement_store
from ui.widgets import chart

IMPORTED_KEY = "measured_imported"
"""The name and size of the last file imported, so a rerun does not import it twice."""


def measured_section() -> None:
    store = measurement_store()
    st.subheader(tr("measured.title"))
    st.caption(tr("measured.intro"))
    rows = store.all()
    if any(r.counts for r in rows):
        chart(measured_chart(rows, lang()), key="measured_chart")
        st.dataframe(error_table(rows, lang()), hide_index=True, width="stretch")
    else:
        st.info(tr("measured.none"), icon=":material/speed:")
    out, into = st.columns(2)
    out.download_button(tr("measured.export"), lambda: to_csv(store.all()), "measurements.csv", "text/csv",
                        on_click="ignore", icon=":material/download:", disabled=not rows)
    upload = into.file_uploader(tr("measured.import"), type=["csv"], key="measured_upload")
    if upload is not None and st.session_state.get(IMPORTED_KEY) != (upload.name, upload.size):
        try:
            added = store.add(from_csv(upload.getvalue().decode("utf-8", errors="replace"), upload.name))
        except DataFileError as exc:
            st.error(tr("error.data_file", detail=str(exc)))
        except StoreError as exc:
            st.error(exc.message(lang()))
        else:
            st.session_state[IMPORTED_KEY] = (upload.name, upload.size)
            st.success(tr("measured.imported", n=added))
