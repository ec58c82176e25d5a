"""Home: this machine's GPUs and Ollama at a glance, the team's tiers, and links that carry a scenario."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import ui
from core.chat.predict import detected_gpu
from core.i18n import fmt_krw, fmt_range
from core.plan.glance import glance, scenario_gpus

ui.frame_guard()

DEFAULT_MODEL = "qwen2.5-14b"

tr = ui.translator()
lang = ui.lang()
gpus, models = ui.load_catalogs()
models_by_id = {m.id: m for m in models}
view = ui.monitor_sampler(ui.monitor_demo_requested()).view(60)

st.title(tr("home.title"))
st.caption(tr("home.intro"))

# --- a scenario the links carry to every page --------------------------------------------------
@st.fragment
def scenario() -> None:
    """Its own fragment: a new model, context or user count reruns only this box, not the machine's readings."""
    with st.container(border=True):
        st.markdown(f"**{tr('home.scenario')}**")
        c1, c2, c3 = st.columns([3, 1, 1])
        model_id = ui.select_in_url(c1, tr("vram.model"), list(models_by_id), "model", DEFAULT_MODEL,
                                    format_func=lambda i: ui.model_label(models_by_id[i]),
                                    help=tr("home.scenario_help"))
        context = ui.number_in_url(c2, tr("vram.context"), "ctx", 8192, 256, 1_000_000, step=1024)
        users = ui.number_in_url(c3, tr("rec.users"), "users", 1, 1, 1024)
        model = models_by_id[model_id]
        detected = detected_gpu(view.devices, gpus)
        gpu, count = scenario_gpus(detected, gpus)
        answer = glance(model, int(context), int(users), gpu, count)
        st.markdown(f"**{tr('home.quick', model=model.name, context=f'{int(context):,}')}**: "
                    + tr("home.quick_line", total=f"{answer.total_gib:.1f}",
                         gpu=f"{count}× {gpu.name}" if count > 1 else gpu.name,
                         verdict=tr("home.fits") if answer.fits else tr("home.no_fit"),
                         tps=fmt_range(answer.decode_tokens_per_s_low, answer.decode_tokens_per_s_high)))
        shared = {"lang": lang, "ctx": str(int(context))}
        l1, l2, l3, l4 = st.columns(4)
        l1.page_link("pages/vram.py", label=tr("home.go_vram"), icon=":material/calculate:",
                     query_params={**shared, "model": model_id, "gpu": gpu.id, "gpus": str(count)})
        l2.page_link("pages/recommend.py", label=tr("home.go_recommend"), icon=":material/recommend:",
                     query_params={**shared, "models": model_id, "users": str(int(users))})
        l3.page_link("pages/monitor.py", label=tr("home.go_monitor"), icon=":material/monitoring:",
                     query_params={"lang": lang})
        l4.page_link("pages/chat.py", label=tr("home.go_chat"), icon=":material/chat:", query_params={"lang": lang})


scenario()

# --- this machine now ----------------------------------------------------------------------------
left, right = st.columns(2)
with left.container(border=True):
    st.markdown(f"**{tr('home.gpus')}**")
    if view.status.ok and view.devices:
        for info in view.devices:
            fast = view.fast.get(info.uuid)
            used = fast.memory_used_mib / 1024 if fast and fast.memory_used_mib is not None else None
            st.markdown("- " + tr("home.gpu_line", name=info.name, used=f"{used:.1f}" if used is not None else "n/a",
                                   total=f"{info.memory_total_mib / 1024:.0f}" if info.memory_total_mib else "n/a",
                                   util=f"{fast.gpu_util_pct:.0f}" if fast and fast.gpu_util_pct is not None else "n/a"))
    else:
        st.markdown(tr("home.no_gpus", reason=tr(f"mon.state.{view.status.state}.title")))
with right.container(border=True):
    st.markdown(f"**{tr('home.ollama')}**")
    # The server's shared health board: checked in the background, so a dead host never holds up this page.
    host = ui.first_ollama_host()
    health = ui.chat_host_board((host,)).read(ui.HOST_HEALTH_WAIT_S)[host.name]
    if health is None:
        st.markdown(tr("home.ollama_checking", host=ui.chat_gateway(host).url))
    elif health.up:
        st.markdown(tr("home.ollama_up", host=ui.chat_gateway(host).url, version=health.version))
        st.caption(tr("home.ollama_loaded", models=", ".join(r.name for r in health.running)) if health.running
                   else tr("home.ollama_none_loaded"))
    else:
        st.markdown(tr("home.ollama_down", reason=health.error.message(lang) if health.error else "?"))

# --- the team's tiers ----------------------------------------------------------------------------
st.subheader(tr("home.tiers"))
st.dataframe(pd.DataFrame({
    tr("home.col.tier"): [tr(f"tier.{p.tier.key}") for p in ui.tiers()],
    tr("home.col.box"): [tr("tier.card", gpu=p.workstation.gpu.name,
                            cpu=p.workstation.cpu_name or "—",
                            ram=p.workstation.ram_gb) for p in ui.tiers()],
    tr("home.col.notes"): [f"{fmt_krw(p.tier.notes_budget_krw[0], lang)} – {fmt_krw(p.tier.notes_budget_krw[1], lang)}"
                           for p in ui.tiers()],
    tr("home.col.today"): [fmt_krw(p.workstation.total_krw, lang) for p in ui.tiers()],
    tr("home.col.pick"): [f"{p.best_count}× {p.best_in_budget.name}" if p.best_in_budget else "—" for p in ui.tiers()],
}), hide_index=True, width="stretch")
