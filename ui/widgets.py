"""What every page draws the same way: charts, sources, plan downloads, and presentation mode."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from urllib.parse import urlsplit

import plotly.graph_objects as go
import streamlit as st

from core.i18n import t
from core.plan.catalog import GpuSpec
from core.plan.models import ModelArch
from core.plan.report import Report
from ui.i18n import lang, tr

PLOTLY_CONFIG = {"displaylogo": False, "toImageButtonOptions": {"format": "png", "scale": 2}}
PRESENT_QUERY = "present"
THEME_QUERY = "theme"
DARK = {"paper": "#0f172a", "plot": "#0f172a", "text": "#e2e8f0", "grid": "#334155", "link": "#93c5fd",
        "muted": "#94a3b8"}
DARK_ALERTS = {"Info": "rgba(96, 165, 250, 0.16)", "Warning": "rgba(250, 204, 21, 0.16)",
               "Error": "rgba(248, 113, 113, 0.18)", "Success": "rgba(74, 222, 128, 0.16)"}


def presenting() -> bool:
    """?present=1: controls folded away, large type, for a projector."""
    return st.query_params.get(PRESENT_QUERY) in ("1", "true")


def dark_theme() -> bool:
    return st.query_params.get(THEME_QUERY) == "dark"


def presentation_style() -> None:
    """Large type and, with ?theme=dark, a dark canvas; our own CSS, no user content in it."""
    rules = []
    if presenting():
        rules.append("html, body, [data-testid='stAppViewContainer'] {font-size: 20px;}"
                     "[data-testid='stMetricValue'], .live-value {font-size: 2.6rem;} h1 {font-size: 2.8rem !important;}")
    if dark_theme():
        rules.append(f"[data-testid='stApp'], [data-testid='stHeader'] {{background: {DARK['paper']};"
                     f" color: {DARK['text']};}} [data-testid='stApp'] * {{color: {DARK['text']};}}"
                     # Tables are drawn on a canvas in the light theme's colours: inverted, with hues turned back.
                     "[data-testid='stDataFrame'] {filter: invert(0.9) hue-rotate(180deg);}"
                     f"[data-testid='stBaseButton-secondary'] {{background: {DARK['grid']}; border-color: {DARK['grid']};}}"
                     f"[data-testid='stApp'] a {{color: {DARK['link']};}}"
                     # The monitor's cards (ui.live_cards) and the alerts: light-theme tints would be unreadable.
                     f".live-caption, .live-table th {{color: {DARK['muted']} !important;}}"
                     f".live-card, .live-table th, .live-table td {{border-color: {DARK['grid']} !important;}}"
                     f".live-ok {{color: {DARK['muted']} !important; background: rgba(226, 232, 240, 0.1);}}"
                     f"button[data-variant='segmented_control'] {{background: {DARK['paper']}; border-color: {DARK['grid']};}}"
                     f"button[data-variant='segmented_control'][aria-checked='true'] {{background: {DARK['grid']};}}"
                     ".live-warn {color: #fbbf24 !important;} .live-critical {color: #f87171 !important;}"
                     f"[data-testid='stMetricDelta'] {{background: {DARK['grid']} !important;}}"
                     f"[data-testid='stApp'] code {{background: {DARK['grid']} !important;}}"
                     + "".join(f"[data-testid='stAlertContainer']:has([data-testid='stAlertContent{kind}'])"
                               f" {{background: {tint} !important;}}" for kind, tint in DARK_ALERTS.items()))
    if rules:
        st.html(f"<style>{''.join(rules)}</style>")


def controls(label_key: str = "common.controls") -> object:
    """Where a page's inputs go: folded into an expander when presenting, plain otherwise."""
    return st.expander(tr(label_key), expanded=False, icon=":material/tune:") if presenting() else st.container()


def chart(fig: go.Figure, key: str) -> None:
    if presenting() or dark_theme():
        fig = go.Figure(fig)
        if presenting():
            fig.update_layout(font_size=18, title_font_size=24, title_subtitle_font_size=14, margin_t=130)
            # Larger labels than core.chartstyle's margins were sized for: Plotly measures them (slower, once).
            fig.update_xaxes(automargin=True)
            fig.update_yaxes(automargin=True)
            # At this size a time axis would turn its dates on end and squeeze the plot into a strip.
            fig.update_xaxes(nticks=5, tickangle=0, selector={"type": "date"})
        if dark_theme():
            fig.update_layout(paper_bgcolor=DARK["paper"], plot_bgcolor=DARK["plot"], font_color=DARK["text"])
            fig.update_xaxes(gridcolor=DARK["grid"], linecolor=DARK["grid"], zerolinecolor=DARK["grid"])
            fig.update_yaxes(gridcolor=DARK["grid"], linecolor=DARK["grid"], zerolinecolor=DARK["grid"])
    st.plotly_chart(fig, width="stretch", config=PLOTLY_CONFIG, key=key, theme=None)


def export_buttons(build: Callable[[], Report], stem: str, key: str) -> None:
    """HTML and Markdown downloads of a plan, built only when clicked (plotly.js inline is ~4 MB)."""
    current = lang()
    row = st.container(horizontal=True)
    row.download_button(tr("report.export_html"), lambda: build().html(current), f"{stem}.html", "text/html",
                         key=f"{key}_html", icon=":material/download:", on_click="ignore")
    row.download_button(tr("report.export_md"), lambda: build().markdown(current), f"{stem}.md", "text/markdown",
                          key=f"{key}_md", icon=":material/description:", on_click="ignore")


def sources(urls: Sequence[str], accessed: Mapping[str, str] | None = None) -> None:
    """A compact, clickable list of sources under a figure; hovering a link shows its host and, where the
    data file records it, the date it was read."""
    unique = list(dict.fromkeys(urls))
    dates = accessed or {}

    def title(url: str) -> str:
        host = urlsplit(url).netloc
        return tr("common.accessed", host=host, date=dates[url]) if dates.get(url) else host

    links = " · ".join(f'[{i + 1}]({url} "{title(url)}")' for i, url in enumerate(unique))
    st.caption(f"{tr('common.sources')}: {links}")


def gpu_label(gpu: GpuSpec, lang: str) -> str:
    """A card's name in every picker; a card from the TechPowerUp database says so. ``lang`` is passed in,
    because a picker may format its options outside the script run, where the session is not known."""
    return t("gpu.from_database", lang, name=gpu.name) if gpu.from_database else gpu.name


def model_label(model: ModelArch) -> str:
    """How a model reads in every picker: its name and its first Ollama tags."""
    return f"{model.name}  ·  {' / '.join(model.aliases[:2])}" if model.aliases else model.name
