"""Live GPU monitor: reads the server's one sampler (never NVML) and redraws the live panel every second."""

from __future__ import annotations

import streamlit as st

import ui
from core.errors import InputError
from core.i18n import fmt_number
from core.monitor import cards, charts, team_cards
from core.monitor.downloads import window_csv, window_json
from core.monitor.team import configured_url
from core.monitor.view import MonitorView
from core.plan.estimate import quants_for
from ui.measured import measured_section

ui.frame_guard()

WINDOW_KEY = "mon_window"
PAUSE_KEY = "mon_pause"
PRESENTATION_KEY = "mon_presentation"
DEMO_KEY = "mon_demo"
DIAGNOSTICS_KEY = "mon_diagnostics"
HISTORY_TAB_KEY = "mon_history_tab"
DOWNLOADS_KEY = "mon_downloads"
DIAGNOSTICS_REFRESH_S = 5
NOW_WINDOW_S = 60  # the cards and notices read the newest readings: no longer window to resample every second
NOTICE_STATE_KEY = "mon_notice_state"  # the notice's state when the page last drew it
ENERGY_BASELINE_KEY = "mon_energy_baseline"  # + ".live" / ".demo": the sampler's joules when this tab opened
LEVEL_COLOURS = {"ok": "gray", "warn": "orange", "critical": "red"}

SCOPE_PARAM = "scope"  # ?scope=team in a shared link; also the choice's session-state key
SCOPES = ("local", "team")
TEAM_PAUSE_KEY = "team_pause"
MODEL_KEY, QUANT_KEY, CONTEXT_KEY = "team_model", "team_quant", "team_context"
DEFAULT_MODEL = "llama-3.1-8b"

tr = ui.tr
lang = ui.lang()
tr_now = ui.translator()  # for format_func, which may run outside the script, without its session


def team_panel(url: str, window_s: int) -> None:
    """Every workstation through Prometheus: redrawn with each shared fetch (every 2 s)."""
    lang = ui.lang()
    view = ui.monitor_team_view(url, window_s)
    if not view.ok:
        (st.info if view.state == "empty" else st.error)(tr(f"team.state.{view.state}"), icon=":material/lan:")
        if view.detail:
            st.caption(tr("team.state.hint", detail=view.detail))
        return
    st.subheader(tr("team.section.totals"))
    for column, (label, value, note, level) in zip(st.columns(4), team_cards.totals_metrics(view, lang), strict=True):
        column.metric(label, value, note, delta_color=LEVEL_COLOURS[level], delta_arrow="off")
    st.subheader(tr("team.section.hosts"))
    for column, card in zip(st.columns(2) * len(view.hosts), team_cards.host_cards(view, lang), strict=False):
        with column.container(border=True):
            st.markdown(f"**{card.title}**")
            st.caption(card.subtitle)
            if card.stale_note:
                st.warning(card.stale_note, icon=":material/cloud_off:")
            # A stale host's readings are its last ones: greyed, so nobody reads them as now.
            grey = (lambda line: f":gray[{line}]") if card.stale_note else (lambda line: line)
            st.markdown("\n".join(f"- {grey(line)}" for line in card.gpu_lines))
    st.caption(tr("team.lookback", hours=f"{view.lookback_s / 3600:g}"))
    st.subheader(tr("team.section.history"))
    util, memory = (team_cards.history_figures(view, f, lang) for f in ("gpu_util_pct", "memory_used_mib"))
    for host in util:
        left, right = st.columns(2)
        with left:
            ui.chart(util[host], key=f"team_util_{host}")
        with right:
            if host in memory:
                ui.chart(memory[host], key=f"team_memory_{host}")


def where_it_runs(url: str, window_s: int) -> None:
    """The planners' question: which hosts have the free VRAM for this model, quant and context right now."""
    lang = ui.lang()
    st.subheader(tr("team.section.where"))
    models = {m.id: m for m in ui.load_catalogs()[1]}
    model_col, quant_col, context_col = st.columns([3, 1.4, 1.4])
    ids = list(models)
    model_id = model_col.selectbox(tr("team.where.model"), ids, index=ids.index(DEFAULT_MODEL) if DEFAULT_MODEL in ids
                                   else 0, key=MODEL_KEY, format_func=lambda i: models[i].name)
    quants = quants_for("ollama", models[model_id])
    quant = quant_col.selectbox(tr("team.where.quant"), quants, index=quants.index("Q4_K_M"), key=QUANT_KEY)
    context = int(context_col.number_input(tr("team.where.context"), 512, 1_048_576, 8192, step=1024,
                                           key=CONTEXT_KEY))
    view = ui.monitor_team_view(url, window_s)
    if not view.ok:
        return
    try:
        need, placements = team_cards.where_it_fits(view, models[model_id], quant, context, lang)
    except InputError as exc:
        st.warning(tr("team.where.error", detail=exc.message(lang)))
        return
    st.caption(tr("team.where.need", gib=fmt_number(need, lang, 1)))
    live = [p for p in placements if not p.stale]
    if not any(p.fits for p in live):
        st.warning(tr("team.where.none"))
    ui.html_table([{tr("team.where.col.host"): p.host, tr("team.where.col.verdict"): p.verdict,
                    tr("team.where.col.free"): None if p.freest_gib is None else round(p.freest_gib, 1),
                    tr("team.where.col.host_free"): round(p.free_gib, 1)} for p in live], decimals=1)
    stale = [p for p in placements if p.stale]
    if stale:
        st.markdown(f"**{tr('team.where.stale_hosts')}**")
        ui.html_table([{tr("team.where.col.host"): p.host, tr("team.where.col.verdict"): p.verdict} for p in stale])


st.title(tr("mon.title"))
ui.live_card_style()
team_url = configured_url()
if team_url and ui.segment_in_url(st, tr("team.scope"), SCOPES, SCOPE_PARAM, "local",
                                  format_func=lambda s: tr_now(f"team.scope.{s}")) == "team":
    st.caption(tr("team.intro", url=team_url))
    team_window_col, team_pause_col = st.columns([4, 1.2], vertical_alignment="bottom")
    team_window = team_window_col.segmented_control(
        tr("mon.window"), cards.WINDOWS_S, default=900, required=True, key=WINDOW_KEY,
        format_func=lambda s: cards.window_label(s, lang))
    team_paused = team_pause_col.toggle(tr("mon.pause"), key=TEAM_PAUSE_KEY, help=tr("mon.pause_help"))
    st.fragment(run_every=None if team_paused else ui.TEAM_REFRESH_S)(team_panel)(team_url, team_window)
    # Its own fragment: a new model, format or context reruns only this question, not the fleet above it.
    st.fragment(where_it_runs)(team_url, team_window)
    st.stop()

demo = ui.monitor_demo_requested()
sampler = ui.monitor_sampler(demo)
baseline = st.session_state.setdefault(f"{ENERGY_BASELINE_KEY}.{'demo' if demo else 'live'}", sampler.energy_j())

st.caption(tr("mon.intro"))
with st.container(horizontal=True, horizontal_alignment="right"):
    paused = st.toggle(tr("mon.pause"), key=PAUSE_KEY, help=tr("mon.pause_help"))
    presenting = st.toggle(tr("mon.presentation"), key=PRESENTATION_KEY, help=tr("mon.presentation_help"))
fast_s = 2 if presenting else 1


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


def gpu_card(card: cards.GpuCard) -> None:
    if card.lost is None and not card.unified:
        ui.gpu_card(card)  # one element per card: it is redrawn every second
        return
    with st.container(border=True):
        st.markdown(f"**{card.title}**")
        st.caption(card.subtitle)
        if card.lost is not None:
            st.error(f"**{tr('mon.card.lost_title', gpu=card.title)}**\n\n{tr('mon.card.lost_body', reason=card.lost)}",
                     icon=":material/report:")
            return
        st.info(tr("mon.card.unified_info", gpu=card.title), icon=":material/memory:")
        ui.metric_row(card.metrics)
        st.caption(card.details)


# A steady notice (a replay's card and its toggle, live readings' one line) is drawn with the page, not every
# second: the live panel reruns the page when the notice's state changes.
drawn = sampler.view(NOW_WINDOW_S)
st.session_state[NOTICE_STATE_KEY] = cards.notice_state(drawn, demo)
if cards.notice_is_steady(drawn, demo):
    notice(drawn)


def now_panel() -> None:
    """What is happening now: redrawn every second."""
    lang = ui.lang()
    view = sampler.view(NOW_WINDOW_S)
    if cards.notice_state(view, demo) != st.session_state.get(NOTICE_STATE_KEY):
        st.rerun(scope="app")
    # Parts whose element count changes between refreshes get their own container, so what follows keeps
    # its place in the page.
    with st.container():
        if not cards.notice_is_steady(view, demo):
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
                ui.html_table(rows, wide=tr("mon.proc.command"))
            else:
                st.caption(tr("mon.proc.none"))
    st.subheader(tr("mon.section.host"))
    # No sparklines: redrawn every second, a dozen of them took a quarter of a core in the browser
    # (bench/browser.py), and the history charts below draw the same lines.
    ui.metric_row(cards.host_metrics(view.host, view, lang, baseline))


def history_charts(window_s: int, shown: str) -> None:
    """The open tab's charts, redrawn when the window has moved by 1/60 of its span (every second for a minute,
    every 15 s for 15 minutes): Streamlit rebuilds a Plotly chart whenever its figure changes. Only the open
    tab's are drawn: all seven at once took 700 ms of a window change in bench/browser.py, a tab's two 250 ms."""
    lang = ui.lang()
    view = sampler.view(window_s)
    if shown in ("gpu", "thermal"):
        pair = ("gpu_util_pct", "memory_used_mib") if shown == "gpu" else ("temperature_c", "power_w")
        for column, field in zip(st.columns(2), pair, strict=True):
            with column:
                # One key for the pair, on the left: the right chart draws the same GPUs in the same colours, and its
                # own legend took an eighth of a window change in Chromium (212 → 185 ms). A slide gets both.
                legend = presenting or field == pair[0]
                ui.chart(charts.history_chart(view, field, lang, legend=legend), key=f"mon_chart_{field}")
    elif shown == "processes":
        if view.process_history:
            ui.chart(charts.process_memory_chart(view, lang), key="mon_chart_processes")
        else:
            st.caption(tr("mon.no_process_history"))
    else:
        host_col, cores_col = st.columns(2)
        with host_col:
            ui.chart(charts.host_chart(view, lang), key="mon_chart_host")
        with cores_col:
            ui.chart(charts.cores_chart(view, lang), key="mon_chart_cores")


def history_panel() -> None:
    """The window, its tabs and downloads: a new window or tab reruns only this panel. The charts are a fragment
    of their own inside it, on the timer the window asks for, which each run of this panel sets anew."""
    lang = ui.lang()
    window_s = st.segmented_control(
        tr("mon.window"), cards.WINDOWS_S, default=900, required=True, key=WINDOW_KEY,
        # `lang` is read in this run: format_func may be called outside it, without its session.
        format_func=lambda s: cards.window_label(s, lang))
    # The set of tabs stays the same while GPUs are read, so a process appearing never moves the reader's tab.
    groups = ("gpu", "thermal", "processes", "host") if sampler.view(NOW_WINDOW_S).history else ("host",)
    shown, where = groups[0], st.container()
    if len(groups) > 1:
        tabs = st.tabs([tr(f"mon.tab.{group}") for group in groups], key=HISTORY_TAB_KEY, on_change="rerun")
        shown, where = next(((g, tab) for g, tab in zip(groups, tabs, strict=True) if tab.open), (groups[0], tabs[0]))
    with where:
        st.fragment(run_every=None if paused else charts.redraw_s(window_s, fast_s))(history_charts)(window_s, shown)
    stem = f"gpu-monitor-{'demo' if demo else 'live'}-{cards.window_label(window_s, 'en').replace(' ', '')}"
    # Built only while open: two buttons redrawn with every window change took a tenth of it in Chromium
    # (198 → 177 ms a change, interleaved on one machine).
    downloads = st.popover(tr("mon.download"), icon=":material/download:", key=DOWNLOADS_KEY, on_change="rerun")
    if not downloads.open:
        return
    with downloads:
        # Callables: the file is made from the sampler when clicked, not on every refresh.
        st.download_button(tr("mon.download.csv"), data=lambda: window_csv(sampler.view(window_s)),
                           file_name=f"{stem}.csv", mime="text/csv", on_click="ignore", icon=":material/download:",
                           key="mon_download_csv")
        st.download_button(tr("mon.download.json"), data=lambda: window_json(sampler.view(window_s)),
                           file_name=f"{stem}.json", mime="application/json", on_click="ignore",
                           icon=":material/download:", key="mon_download_json")


def diagnostics_panel() -> None:
    """The sampler's own cost and source, built only while open: a folded expander is drawn for nothing."""
    lang = ui.lang()
    diagnostics = st.expander(tr("mon.diag.title"), icon=":material/speed:", key=DIAGNOSTICS_KEY, on_change="rerun")
    if diagnostics.open:
        view = sampler.view(NOW_WINDOW_S)
        with diagnostics:
            st.markdown("\n".join(f"- {line}" for line in cards.diagnostic_lines(view, lang)))
            if view.diagnostics.events:
                st.caption(tr("mon.diag.events"))
                st.code(cards.event_lines(view), language=None)


# The cards and the charts rerun on their timers, the diagnostics every few seconds; the toggles above rerun the
# whole page when touched.
st.fragment(run_every=None if paused else fast_s)(now_panel)()
st.subheader(tr("mon.section.history"))  # outside the panel: a window change need not redraw it
st.fragment(history_panel)()
if not presenting:
    st.fragment(run_every=None if paused else DIAGNOSTICS_REFRESH_S)(diagnostics_panel)()
    measured_section()
