"""VRAM calculator: a model and a scenario in, the memory it takes and where it fits out."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import ui
from core.errors import InputError
from core.i18n import fmt_gib, fmt_krw
from core.plan import charts_vram
from core.plan.estimate import ENGINES, MODES, MULTI_GPU, Scenario, effective_engine, kv_types_for, quants_for
from core.plan.hfconfig import CUSTOM_FIELDS, custom_model, model_from_config
from core.plan.placement import OLLAMA_VERSION
from core.plan.report import calculator_report
from core.plan.training import MASTER_WEIGHT_BYTES, OPTIMIZER_STATE_BYTES
from core.plan.vram_report import vram_report

ui.frame_guard()

DEFAULT_MODEL = "llama-3.1-8b"
TABS_KEY = "vram_tabs"
FORMULAS_KEY = "vram_formulas"
ENGINE_NAMES = {"ollama": "Ollama", "llama.cpp": "llama.cpp"}

tr = ui.translator()
lang = ui.lang()
gpus, models = ui.load_catalogs()
book = ui.prices()
models_by_id = {m.id: m for m in models}
# The curated catalog first, then any other card from the TechPowerUp database (labelled as such).
gpus_by_id = {g.id: g for g in (*gpus, *ui.database_gpus())}

st.title(tr("vram.title"))
st.caption(tr("vram.intro"))


@st.fragment
def calculator() -> None:
    """The inputs and everything that follows from them: a change reruns only this, not the navigation or the
    sidebar."""
    with ui.controls():
        # --- the model -------------------------------------------------------------------------------
        source = ui.segment_in_url(st, tr("vram.model_source"), ["preset", "custom", "upload"], "src", "preset",
                                   format_func=lambda k: tr(f"vram.source.{k}"))
        model = None
        if source == "preset":
            model_id = ui.select_in_url(
                st, tr("vram.model"), list(models_by_id), "model", DEFAULT_MODEL, help=tr("vram.model_help"),
                format_func=lambda i: ui.model_label(models_by_id[i]),
            )
            model = models_by_id[model_id]
        elif source == "custom":
            cols = st.columns(5)
            typed = {
                f.name: ui.number_in_url(cols[i % 5], tr(f"field.{f.name}"), f"custom_{f.name}", f.default, f.low, f.high)
                for i, f in enumerate(CUSTOM_FIELDS)
            }
            try:
                model = custom_model(**typed)
            except InputError as exc:
                st.error(exc.message(lang))
        else:
            upload = st.file_uploader(tr("vram.upload"), type=["json"], key="vram_upload", help=tr("vram.upload_help"))
            if upload is None:
                st.info(tr("vram.upload_hint"))
            else:
                try:
                    model = model_from_config(upload.getvalue(), upload.name)
                    st.success(tr("vram.upload_ok", name=model.name, params=f"{model.params_b:.2f}"))
                except InputError as exc:
                    st.error(tr("vram.upload_bad", detail=exc.message(lang)))

        # --- the scenario ----------------------------------------------------------------------------
        mode = ui.segment_in_url(st, tr("vram.mode"), list(MODES), "mode", "inference",
                                 format_func=lambda k: tr(f"mode.{k}"))
        inference = mode == "inference"
        c1, c2, c3, c4 = st.columns(4)
        engine = ui.select_in_url(c1, tr("vram.engine"), list(ENGINES), "engine", "ollama", disabled=not inference,
                                  help=tr("vram.engine_help"))
        quant = ui.select_in_url(c2, tr("vram.quant"), list(quants_for(engine, model)), "quant", "Q4_K_M",
                                 disabled=not inference, help=tr("vram.quant_help"))
        context = ui.number_in_url(c3, tr("vram.context"), "ctx", 8192, 1, 10_000_000, step=1024,
                                   help=tr("vram.context_help"))
        parallel = ui.number_in_url(c4, tr("vram.parallel"), "parallel", 1, 1, 1024, help=tr("vram.parallel_help"))

        c5, c6, c7, c8 = st.columns(4)
        kv_cache = ui.select_in_url(c5, tr("vram.kv"), list(kv_types_for(engine)), "kv", "f16", disabled=not inference,
                                    help=tr("vram.kv_help"))
        gpu_id = ui.select_in_url(c6, tr("vram.gpu"), [None, *gpus_by_id], "gpu", None,
                                  format_func=lambda i: tr("vram.no_gpu") if i is None else ui.gpu_label(gpus_by_id[i], lang))
        gpu_count = ui.number_in_url(c7, tr("vram.gpu_count"), "gpus", 1, 1, 64)
        batch = ui.number_in_url(c8, tr("vram.batch"), "batch", 1, 1, 4096, help=tr("vram.batch_help"))

        kv_unified = inference and engine == "llama.cpp" and ui.checkbox_in_url(
            st, tr("vram.kv_unified"), "unified", help=tr("vram.kv_unified_help"))

        training_options = {}
        if not inference:
            t1, t2, t3, t4 = st.columns(4)
            training_options = {
                "optimizer": ui.select_in_url(t1, tr("vram.optimizer"), list(OPTIMIZER_STATE_BYTES), "optimizer", "adamw"),
                "precision": ui.select_in_url(t2, tr("vram.precision"), list(MASTER_WEIGHT_BYTES), "precision", "mixed",
                                              disabled=mode != "full", help=tr("vram.precision_help")),
                "lora_rank": ui.number_in_url(t3, tr("vram.lora_rank"), "lora_rank", 16, 1, 4096, disabled=mode == "full"),
                "grad_checkpointing": ui.checkbox_in_url(t4, tr("vram.grad_ckpt"), "ckpt", help=tr("vram.grad_ckpt_help")),
            }

    if model is None:
        return

    try:
        report = vram_report(
            Scenario(model=model, quant=quant, context=int(context), batch=int(batch), parallel=int(parallel),
                     kv_cache=kv_cache, engine=effective_engine(engine, mode), kv_unified=kv_unified,
                     gpu=gpus_by_id.get(gpu_id), gpus=int(gpu_count), mode=mode, **training_options),
            gpus,
        )
    except InputError as exc:
        st.error(exc.message(lang))
        return

    # --- the answer ------------------------------------------------------------------------------
    est = report.estimate
    m1, m2, m3, m4 = st.columns(4)
    m1.metric(tr("vram.total"), fmt_gib(est.total_gib, lang))
    if est.fits is None:
        m2.metric(tr("vram.per_gpu"), "—", help=tr("vram.pick_gpu"))
    else:
        m2.metric(tr("vram.per_gpu"), f"{max(est.per_gpu_gib):.1f} / {est.usable_gib_per_gpu:.1f} GiB",
                  delta=tr("vram.fits") if est.fits else tr("vram.no_fit"), delta_color="normal" if est.fits else "inverse")
    m3.metric(tr("vram.host"), fmt_gib(est.host_gib, lang), help=tr("vram.host_help"))
    if report.max_context_tokens is not None:
        m4.metric(tr("vram.max_context"), f"{report.max_context_tokens:,}" if report.max_context_tokens else "—",
                  help=tr("vram.max_context_help") if report.max_context_tokens else tr("vram.max_context_none"))
    if est.max_concurrent_tokens is not None:
        st.info(tr("vram.vllm_tokens", tokens=f"{est.max_concurrent_tokens:,}", seqs=f"{est.max_concurrent_tokens // int(context):,}"))
    if "rope_scaled" in est.notes:
        st.warning(tr("vram.rope_scaled", trained=f"{model.context_max:,}", context=f"{int(context):,}"))
    if "offload" in est.notes:
        st.warning(tr("vram.offload", gpu=est.gpu_layers, total=est.total_layers, host=f"{est.host_gib:.1f}"))
    if est.expert_layers_on_gpu is not None:
        st.warning(tr("vram.expert_offload", cpu=est.total_layers - est.expert_layers_on_gpu, total=est.total_layers,
                      host=f"{est.host_gib:.1f}"))
    if est.margin_gib and est.ubatch:
        runs_on = report.scenario.effective_engine
        st.caption(tr("vram.fit_margin", engine=ENGINE_NAMES.get(runs_on, runs_on), margin=f"{est.margin_gib:g}",
                      ubatch=f"{est.ubatch:,}", why=tr("vram.fit_margin.ollama", version=OLLAMA_VERSION)
                      if runs_on == "ollama" and report.scenario.ubatch is None else ""))
    if int(gpu_count) > 1:
        st.caption(tr("vram.multi_gpu", engine=report.scenario.effective_engine,
                      how=MULTI_GPU[report.scenario.effective_engine], n=int(gpu_count)))
    if "paged_optimizer" in est.notes:
        st.caption(tr("vram.paged_note"))

    ui.memory_bar(report, lang)

    # Only the open tab is built: each chart the browser redraws costs about 100 ms of a demo laptop's core.
    fits_tab, context_tab = st.tabs([tr("vram.fits_table"), tr("vram.tab.context")], key=TABS_KEY, on_change="rerun")
    if fits_tab.open:
        with fits_tab:
            # One table, the share left free drawn as a bar: the same ranking as the exported plan's chart, and one
            # element for the browser to redraw on each change instead of a chart beside a table.
            status_label = {k: tr(f"status.{k}") for k in ("green", "amber", "red")}
            table = pd.DataFrame(
                {
                    tr("col.status"): [status_label[r.status] for r in report.fits_on],
                    tr("col.gpu"): [r.gpu.name for r in report.fits_on],
                    tr("col.count"): [r.count for r in report.fits_on],
                    tr("col.headroom"): [r.headroom_gib for r in report.fits_on],
                    tr("col.free_share"): [None if r.free_share is None else 100 * r.free_share for r in report.fits_on],
                    # The same price book as the recommendations, so a card never shows two prices on two pages.
                    tr("col.price"): [fmt_krw(price.krw if price else None, lang)
                                      for price in (book.gpu_price(r.gpu) for r in report.fits_on)],
                }
            )
            st.dataframe(table, hide_index=True, height=420, width="stretch", column_config={
                tr("col.headroom"): st.column_config.NumberColumn(format="%.1f GiB"),
                tr("col.free_share"): st.column_config.ProgressColumn(format="%.0f%%", min_value=0, max_value=100,
                                                                       help=tr("col.free_share_help"))})
            st.caption(tr("vram.fits_legend"))
    if context_tab.open:
        with context_tab:
            ui.chart(charts_vram.context_chart(report, lang), key="chart_context")

    # Built only while open, like the tabs: a folded expander's fifteen elements are redrawn for nothing.
    formulas = st.expander(tr("vram.formulas"), icon=":material/function:", key=FORMULAS_KEY, on_change="rerun")
    if formulas.open:
        with formulas:
            for term in est.terms:
                st.markdown(f"**{tr(f'term.{term.key}')}** — {term.gib:.2f} GiB  \n{tr(f'explain.{term.key}')}")
                st.code(f"{term.formula}\n{term.substituted}", language=None)
                st.caption(f"{tr('common.source')}: {term.source_url}")
            st.markdown(tr("vram.assumptions"))
    chosen_gpu = report.scenario.gpu
    gpu_urls = list(chosen_gpu.source_urls) if chosen_gpu else []
    ui.sources([term.source_url for term in est.terms] + list(model.source_urls) + gpu_urls,
               accessed={url: chosen_gpu.accessed for url in gpu_urls if chosen_gpu and chosen_gpu.accessed})
    ui.export_buttons(lambda: calculator_report(report, lang), f"vram-plan-{model.id}", "vram_export")


calculator()
