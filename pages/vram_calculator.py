"""VRAM calculator: a model and a scenario in, the memory it takes and where it fits out."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import ui
from core import charts
from core.errors import InputError
from core.estimate import ENGINES, MODES, MULTI_GPU, Scenario, kv_types_for, quants_for
from core.hfconfig import custom_model, model_from_config
from core.i18n import fmt_gib, fmt_krw
from core.planner import vram_report
from core.training import MASTER_WEIGHT_BYTES, OPTIMIZER_STATE_BYTES

DEFAULT_MODEL = "llama-3.1-8b"

tr = ui.translator()
lang = ui.lang()
gpus, models = ui.load_catalogs()
models_by_id = {m.id: m for m in models}
gpus_by_id = {g.id: g for g in gpus}

st.title(tr("vram.title"))
st.caption(tr("vram.intro"))

with ui.controls():
    # --- the model -------------------------------------------------------------------------------
    source = st.segmented_control(
        tr("vram.model_source"), ["preset", "custom", "upload"], default="preset", required=True,
        key="vram_source", format_func=lambda k: tr(f"vram.source.{k}"),
    )
    model = None
    if source == "preset":
        model_ids = list(models_by_id)
        model_id = st.selectbox(
            tr("vram.model"), model_ids, key="model", index=ui.url_choice("model", model_ids, DEFAULT_MODEL),
            format_func=lambda i: f"{models_by_id[i].name}  ·  {' / '.join(models_by_id[i].aliases[:2])}",
            help=tr("vram.model_help"),
        )
        ui.keep_in_url("model", model_id, DEFAULT_MODEL)
        model = models_by_id[model_id]
    elif source == "custom":
        cols = st.columns(5)
        fields = [
            ("params_b", 8.0, 0.01, 5000.0), ("layers", 32, 1, 512), ("hidden", 4096, 64, 65536),
            ("heads", 32, 1, 1024), ("kv_heads", 8, 1, 1024), ("head_dim", 128, 16, 1024),
            ("vocab", 128256, 1000, 1_000_000), ("context_max", 131072, 512, 10_000_000),
            ("active_params_b", 0.0, 0.0, 5000.0),
        ]
        typed = {
            name: cols[i % 5].number_input(tr(f"field.{name}"), min_value=low, max_value=high, value=default,
                                           key=f"custom_{name}")
            for i, (name, default, low, high) in enumerate(fields)
        }
        try:
            model = custom_model(**{**typed, "active_params_b": typed["active_params_b"] or None})
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
            except ValueError as exc:
                st.error(tr("vram.upload_bad", detail=str(exc)))

    # --- the scenario ----------------------------------------------------------------------------
    mode = st.segmented_control(tr("vram.mode"), list(MODES), required=True, key="mode",
                                default=MODES[ui.url_choice("mode", MODES, "inference")],
                                format_func=lambda k: tr(f"mode.{k}"))
    ui.keep_in_url("mode", mode, "inference")
    inference = mode == "inference"
    c1, c2, c3, c4 = st.columns(4)
    engine = c1.selectbox(tr("vram.engine"), list(ENGINES), key="engine", bind="query-params",
                          disabled=not inference, help=tr("vram.engine_help"))
    quant_options = list(quants_for(engine))
    if st.session_state.get("quant") not in quant_options:
        st.session_state["quant"] = quant_options[quant_options.index("Q4_K_M") if "Q4_K_M" in quant_options else 0]
    quant = c2.selectbox(tr("vram.quant"), quant_options, key="quant", bind="query-params", disabled=not inference, help=tr("vram.quant_help"))
    context = c3.number_input(tr("vram.context"), min_value=1, max_value=10_000_000, value=8192, step=1024,
                              key="ctx", bind="query-params", help=tr("vram.context_help"))
    parallel = c4.number_input(tr("vram.parallel"), min_value=1, max_value=1024, value=1, key="parallel",
                               bind="query-params", help=tr("vram.parallel_help"))

    c5, c6, c7, c8 = st.columns(4)
    kv_options = list(kv_types_for(engine))
    if st.session_state.get("kv") not in kv_options:
        st.session_state["kv"] = kv_options[0]
    kv_cache = c5.selectbox(tr("vram.kv"), kv_options, key="kv", bind="query-params", disabled=not inference, help=tr("vram.kv_help"))
    gpu_ids = [None, *gpus_by_id]
    gpu_id = c6.selectbox(tr("vram.gpu"), gpu_ids, key="gpu", index=ui.url_choice("gpu", gpu_ids, None),
                          format_func=lambda i: tr("vram.no_gpu") if i is None else gpus_by_id[i].name)
    ui.keep_in_url("gpu", gpu_id, None)
    gpu_count = c7.number_input(tr("vram.gpu_count"), min_value=1, max_value=64, value=1, key="gpus",
                                bind="query-params")
    batch = c8.number_input(tr("vram.batch"), min_value=1, max_value=4096, value=1, key="batch",
                            bind="query-params", help=tr("vram.batch_help"))

    training_options = {}
    if not inference:
        t1, t2, t3, t4 = st.columns(4)
        training_options = {
            "optimizer": t1.selectbox(tr("vram.optimizer"), list(OPTIMIZER_STATE_BYTES), key="optimizer"),
            "precision": t2.selectbox(tr("vram.precision"), list(MASTER_WEIGHT_BYTES), key="precision",
                                      disabled=mode != "full", help=tr("vram.precision_help")),
            "lora_rank": t3.number_input(tr("vram.lora_rank"), min_value=1, max_value=4096, value=16, key="lora_rank",
                                         disabled=mode == "full"),
            "grad_checkpointing": t4.checkbox(tr("vram.grad_ckpt"), key="grad_ckpt", help=tr("vram.grad_ckpt_help")),
        }

if model is None:
    st.stop()

try:
    report = vram_report(
        Scenario(model=model, quant=quant, context=int(context), batch=int(batch), parallel=int(parallel),
                 kv_cache=kv_cache, engine=engine if inference else "transformers",
                 gpu=gpus_by_id.get(gpu_id), gpus=int(gpu_count), mode=mode, **training_options),
        gpus,
    )
except InputError as exc:
    st.error(exc.message(lang))
    st.stop()

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
    m4.metric(tr("vram.max_context"), f"{report.max_context_tokens:,}", help=tr("vram.max_context_help"))
if est.max_concurrent_tokens is not None:
    st.info(tr("vram.vllm_tokens", tokens=f"{est.max_concurrent_tokens:,}", seqs=f"{est.max_concurrent_tokens // int(context):,}"))
if "offload" in est.notes:
    st.warning(tr("vram.offload", gpu=est.gpu_layers, total=est.total_layers, host=f"{est.host_gib:.1f}"))
if int(gpu_count) > 1:
    st.caption(tr("vram.multi_gpu", engine=engine if inference else "transformers",
                  how=MULTI_GPU[engine if inference else "transformers"], n=int(gpu_count)))
if "paged_optimizer" in est.notes:
    st.caption(tr("vram.paged_note"))

ui.chart(charts.breakdown_chart(report, lang), key="chart_breakdown")

left, right = st.columns([3, 2])
with left:
    ui.chart(charts.fits_chart(report, lang), key="chart_fits")
with right:
    st.subheader(tr("vram.fits_table"))
    status_label = {k: tr(f"status.{k}") for k in ("green", "amber", "red")}
    table = pd.DataFrame(
        {
            tr("col.status"): [status_label[r.status] for r in report.fits_on],
            tr("col.gpu"): [r.gpu.name for r in report.fits_on],
            tr("col.count"): [r.count for r in report.fits_on],
            tr("col.headroom"): [r.headroom_gib for r in report.fits_on],
            tr("col.price"): [fmt_krw(r.gpu.street_price_krw, lang) if r.gpu.street_price_krw else "" for r in report.fits_on],
        }
    )
    st.dataframe(table, hide_index=True, height=420,
                 column_config={tr("col.headroom"): st.column_config.NumberColumn(format="%.1f GiB")})
    st.caption(tr("vram.fits_legend"))

ui.chart(charts.context_chart(report, lang), key="chart_context")

with st.expander(tr("vram.formulas"), icon=":material/function:"):
    for term in est.terms:
        st.markdown(f"**{tr(f'term.{term.key}')}** — {term.gib:.2f} GiB  \n{tr(f'explain.{term.key}')}")
        st.code(f"{term.formula}\n{term.substituted}", language=None)
        st.caption(f"{tr('common.source')}: {term.source_url}")
    st.markdown(tr("vram.assumptions"))
ui.sources([url for term in est.terms for url in [term.source_url]] + list(model.source_urls))
