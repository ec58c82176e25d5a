"""Live GPU monitor: reads the server's one sampler (never NVML) and redraws the live panel every second."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

import ui
from core.monitor import cards, charts
from core.monitor.export import window_csv, window_json
from core.monitor.sampler import MonitorView

ui.frame_guard()

WINDOW_KEY = "mon_window"
PAUSE_KEY = "mon_pause"
PRESENTATION_KEY = "mon_presentation"
DEMO_KEY = "mon_demo"
ENERGY_BASELINE_KEY = "mon_energy_baseline"  # + ".live" / ".demo": the sampler's joules when this tab opened
LEVEL_COLOURS = {"ok": "gray", "warn": "orange", "critical": "red"}

tr = ui.tr
demo = ui.monitor_demo_requested()
sampler = ui.monitor_sampler(demo)
baseline = st.session_state.setdefault(f"{ENERGY_BASELINE_KEY}.{'demo' if demo else 'live'}", sampler.energy_j())

st.title(tr("mon.title"))
st.caption(tr("mon.intro"))
window_col, pause_col, present_col = st.columns([4, 1.2, 1.6], vertical_alignment="bottom")
window_s = window_col.segmented_control(
    tr("mon.window"), cards.WINDOWS_S, default=900, required=True, key=WINDOW_KEY,
    # The language is fixed now: format_func may be called outside the script run, without its session.
    format_func=lambda s, lang=ui.lang(): cards.window_label(s, lang),
)
paused = pause_col.toggle(tr("mon.pause"), key=PAUSE_KEY, help=tr("mon.pause_help"))
presenting = present_col.toggle(tr("mon.presentation"), key=PRESENTATION_KEY, help=tr("mon.presentation_help"))


def _follow_demo_toggle() -> None:
    if st.session_state[DEMO_KEY]:
        st.query_params[ui.MONITOR_DEMO_PARAM] = "1"
    elif ui.MONITOR_DEMO_PARAM in st.query_params:
        del st.query_params[ui.MONITOR_DEMO_PARAM]


def notice(view: MonitorView) -> None:
    """The DEMO label, or the card that says why there are no GPUs; either way the toggle to switch."""
    found = cards.source_notice(view, demo, ui.lang())
    if found is None:
        status = view.status
        st.caption(tr("mon.live", driver=status.driver_version or "n/a", cuda=status.cuda_version or "n/a"))
        return
    card = {"critical": st.error, "warn": st.warning, "ok": st.info}[found.level]
    card(found.text, icon=":material/slideshow:" if demo else ":material/info:")
    if found.detail:
        st.caption(found.detail)
    if st.toggle(tr("mon.demo_toggle"), value=demo, key=DEMO_KEY, on_change=_follow_demo_toggle,
                 help=tr("mon.demo_help")) != demo:
        st.rerun(scope="app")  # the other mode has its own sampler: the whole page changes


def metrics(found: Sequence[cards.Metric]) -> None:
    for column, metric in zip(st.columns(4), found, strict=False):
        column.metric(metric.label, metric.value, metric.note or None, delta_color=LEVEL_COLOURS[metric.level],
                      delta_arrow="off", chart_data=list(metric.spark) or None, chart_type="area", help=metric.help)


def gpu_card(card: cards.GpuCard) -> None:
    with st.container(border=True):
        st.markdown(f"**{card.title}**")
        st.caption(card.subtitle)
        if card.lost is not None:
            st.error(f"**{tr('mon.card.lost_title', gpu=card.title)}**\n\n{tr('mon.card.lost_body', reason=card.lost)}",
                     icon=":material/report:")
            return
        if card.unified:
            st.info(tr("mon.card.unified_info", gpu=card.title), icon=":material/memory:")
        metrics(card.metrics)
        st.caption(card.details)


def now_panel() -> None:
    """What is happening now: redrawn every second."""
    lang = ui.lang()
    view = sampler.view(window_s)
    # Parts whose element count changes between refreshes get their own container, so what follows keeps
    # its place in the page.
    with st.container():
        notice(view)
    with st.container():
        for alert in cards.banners(view, lang):
            (st.error if alert.level == "critical" else st.warning)(alert.text)
    if view.devices:
        st.subheader(tr("mon.section.gpus"))
        for card in cards.gpu_cards(view, lang, baseline):
            gpu_card(card)
    if view.status.ok:
        st.subheader(tr("mon.section.processes"))
        rows = cards.process_rows(view, lang)
        with st.container():
            if rows:
                st.dataframe(rows, hide_index=True, width="stretch", key="mon_processes")
            else:
                st.caption(tr("mon.proc.none"))
    st.subheader(tr("mon.section.host"))
    metrics(cards.host_metrics(view.host, view, lang, baseline))


def history_panel() -> None:
    """The window's charts: redrawn when the window gains a point (every second for a minute, every
    2 min 24 s for a day), because Streamlit rebuilds a Plotly chart whenever its figure changes."""
    lang = ui.lang()
    view = sampler.view(window_s)
    st.subheader(tr("mon.section.history"))
    if view.history:
        for pair in (("gpu_util_pct", "memory_used_mib"), ("temperature_c", "power_w")):
            for column, field in zip(st.columns(2), pair, strict=True):
                with column:
                    ui.chart(charts.history_chart(view, field, lang), key=f"mon_chart_{field}")
    with st.container():
        if view.process_history:
            ui.chart(charts.process_memory_chart(view, lang), key="mon_chart_processes")
    host_col, cores_col = st.columns(2)
    with host_col:
        ui.chart(charts.host_chart(view, lang), key="mon_chart_host")
    with cores_col:
        ui.chart(charts.cores_chart(view, lang), key="mon_chart_cores")
    if not presenting:
        with st.expander(tr("mon.diag.title"), icon=":material/speed:"):
            st.markdown("\n".join(f"- {line}" for line in cards.diagnostic_lines(view, lang)))
            if view.diagnostics.events:
                st.caption(tr("mon.diag.events"))
                st.code(cards.event_lines(view), language=None)


# Only these two panels rerun on their timers; the controls above rerun the whole page when touched.
fast_s = 2 if presenting else 1
st.fragment(run_every=None if paused else fast_s)(now_panel)()
st.fragment(run_every=None if paused else charts.redraw_s(window_s, fast_s))(history_panel)()

stem = f"gpu-monitor-{'demo' if demo else 'live'}-{cards.window_label(window_s, 'en').replace(' ', '')}"
with st.container(horizontal=True):
    # Callables: the file is made from the sampler when clicked, not on every refresh.
    st.download_button(tr("mon.download.csv"), data=lambda: window_csv(sampler.view(window_s)), file_name=f"{stem}.csv",
                       mime="text/csv", on_click="ignore", icon=":material/download:")
    st.download_button(tr("mon.download.json"), data=lambda: window_json(sampler.view(window_s)),
                       file_name=f"{stem}.json", mime="application/json", on_click="ignore",
                       icon=":material/download:")
