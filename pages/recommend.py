"""GPU recommendations: models, users, speed and budget in; ranked whole workstations out."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import ui
from core.errors import InputError
from core.i18n import fmt_krw, fmt_number, fmt_range
from core.plan import charts_recommend
from core.plan.catalog import GpuSpec
from core.plan.estimate import ENGINES, MODES, quants_for
from core.plan.hfconfig import CUSTOM_FIELDS, custom_model
from core.plan.models import ModelArch
from core.plan.recommend import Request, recommend
from core.plan.rent import buy_or_rent
from core.plan.report import recommendation_report
from core.plan.speed import calibrated_engine
from core.plan.workstation import is_whole_system

ui.frame_guard()

DEFAULT_MODELS = ["qwen2.5-14b"]
TABS_KEY = "rec_tabs"

tr = ui.translator()
lang = ui.lang()
gpus, models = ui.load_catalogs()
book = ui.prices()
models_by_id = {m.id: m for m in models}
database_by_id = {g.id: g for g in ui.database_gpus()}

st.title(tr("rec.title"))
st.caption(tr("rec.intro"))


# --- what is compared: the cards, their prices and a custom model ---------------------------------------
# Changed rarely, so drawn outside the planner's fragment, which takes them as arguments: a change here reruns the
# page. Redrawn with every planner change, these widgets took 15% of it in Chromium (234 → 199 ms).
with st.expander(tr("rec.compare_controls"), icon=":material/tune:"):
    c1, c2, c3 = st.columns([2, 1, 1])
    # Any other card, from the TechPowerUp database: ranked once its price is entered in the table below.
    extra = ui.multiselect_in_url(c1, tr("rec.extra_gpus"), list(database_by_id), "extra", [],
                                  format_func=lambda i: database_by_id[i].name, help=tr("rec.extra_gpus_help"),
                                  placeholder=tr("rec.extra_gpus_placeholder"))
    candidates = gpus + tuple(database_by_id[i] for i in extra)
    condition = ui.segment_in_url(c2, tr("rec.condition"), ["new", "any"], "cond", "new",
                                  format_func=lambda k: tr(f"rec.condition.{k}"))
    max_gpus = ui.number_in_url(c3, tr("rec.max_gpus"), "max_gpus", 4, 1, 8)

    # The price table the ranking uses (editable, per session).
    st.markdown(f"**{tr('rec.prices_title')}**")
    st.caption(tr("rec.prices_help"))
    edited = st.data_editor(
        pd.DataFrame(book.price_rows(candidates, condition)), hide_index=True, key="rec_price_editor",
        disabled=["gpu_id", "gpu", "date", "source"], width="stretch", height=250,
        column_config={"price_krw": st.column_config.NumberColumn(tr("rec.col.price_krw"), min_value=0, format="%d"),
                       "date": tr("rec.col.date"), "source": st.column_config.LinkColumn(tr("rec.col.source"))},
    )
    st.download_button(tr("rec.prices_download"), edited.to_csv(index=False).encode("utf-8"), "gpu_prices.csv",
                       "text/csv", key="rec_prices_download")
    overrides = {row.gpu_id: float(row.price_krw) for row in edited.itertuples() if pd.notna(row.price_krw) and row.price_krw > 0}

    st.markdown(f"**{tr('rec.custom')}**")
    custom_models: list[ModelArch] = []
    shown = [f for f in CUSTOM_FIELDS if f.name in ("params_b", "layers", "hidden", "heads", "kv_heads", "vocab")]
    cols = st.columns(len(shown))
    custom = {
        f.name: ui.number_in_url(cols[i], tr(f"field.{f.name}"), f"custom_{f.name}", f.default, f.low, f.high)
        for i, f in enumerate(shown)
    }
    custom_error = None
    if ui.checkbox_in_url(st, tr("rec.custom_use"), "custom"):
        try:
            custom_models.append(custom_model(**custom, name="custom"))
        except InputError as exc:
            custom_error = exc.message(lang)
# Below the section, so that it shows while the section is folded too.
if custom_error:
    st.error(custom_error)


@st.fragment
def planner(custom_models: list[ModelArch], candidates: tuple[GpuSpec, ...], condition: str, max_gpus: int,
            overrides: dict[str, float]) -> None:
    """The inputs changed most (models, mode, engine, context, users, speed, budget) and everything that follows from
    them: a change reruns only this, not the navigation, the sidebar, the comparison above or the tiers below."""
    with ui.controls():
        chosen = ui.multiselect_in_url(
            st, tr("rec.models"), list(models_by_id), "models", DEFAULT_MODELS,
            format_func=lambda i: ui.model_label(models_by_id[i]),
        )
        target_models = [models_by_id[i] for i in chosen] + custom_models
        mode = ui.segment_in_url(st, tr("vram.mode"), list(MODES), "mode", "inference", format_func=lambda k: tr(f"mode.{k}"))
        # One row block instead of a block per column: each block is one more element for the browser to redraw.
        row = st.container(horizontal=True)
        engine = ui.select_in_url(row, tr("vram.engine"), list(ENGINES), "engine", "ollama", disabled=mode != "inference")
        quant = ui.select_in_url(row, tr("vram.quant"), list(quants_for(engine)), "quant", "Q4_K_M",
                                 disabled=mode != "inference")
        context = ui.number_in_url(row, tr("vram.context"), "ctx", 8192, 256, 1_000_000, step=1024)
        users = ui.number_in_url(row, tr("rec.users"), "users", 5, 1, 1024)

        c5, c6, c7 = st.columns(3)
        min_tps = ui.number_in_url(c5, tr("rec.min_tps"), "tps", 10.0, 0.0, 10_000.0, step=5.0)
        currency = ui.segment_in_url(c6, tr("rec.budget_unit"), ["krw", "usd"], "cur", "krw",
                                     format_func=lambda k: tr(f"rec.currency.{k}"))
        budget = ui.number_in_url(c7, tr("rec.budget"), f"budget_{currency}", 5_000_000 if currency == "krw" else 3_500,
                                  0, 10_000_000_000, step=500_000 if currency == "krw" else 500, help=tr("rec.budget_help"))
        c7.caption(fmt_krw(budget, lang) if currency == "krw" else f"${budget:,.0f}")

    budget_krw = budget if currency == "krw" else book.to_krw(budget)
    if currency == "usd" and book.usd_krw is not None:
        c7.caption(tr("rec.usd_note", rate=f"{book.usd_krw.value:,.0f}", date=book.usd_krw.date))

    try:
        request = Request(models=tuple(target_models), quant=quant, context=int(context), users=int(users), mode=mode,
                          engine=engine, budget_krw=budget_krw or None, min_tokens_per_s=min_tps or None,
                          condition=condition, max_gpus=int(max_gpus), price_overrides_krw=overrides,
                          local=ui.local_corrections())
        result = recommend(request, candidates, book)
    except InputError as exc:
        st.error(exc.message(lang))
        return

    # --- the answer -------------------------------------------------------------------------------
    st.subheader(tr("rec.ranked"))
    if not result.options:
        st.warning(tr("rec.none"))
    else:
        top = result.options[:15]
        st.dataframe(
            pd.DataFrame({
                tr("rec.col.rank"): range(1, len(top) + 1),
                tr("rec.col.config"): [f"{o.count}× {o.gpu.name}" for o in top],
                tr("rec.col.total"): [fmt_krw(o.price_krw, lang) for o in top],
                tr("rec.col.tps"): pd.array([o.decode_tokens_per_s for o in top], dtype="Float64"),
                tr("rec.col.tps_range"): [fmt_range(o.decode_tokens_per_s_low, o.decode_tokens_per_s_high)
                                          if o.decode_tokens_per_s_low and o.decode_tokens_per_s_high else "—" for o in top],
                tr("rec.col.aggregate"): pd.array([o.aggregate_tokens_per_s for o in top], dtype="Float64"),
                tr("rec.col.won_per_tps"): [fmt_krw(o.won_per_token_s, lang) for o in top],
                tr("rec.col.headroom"): [o.headroom_gib for o in top],
                tr("rec.col.power"): [o.workstation.power_w for o in top],
                tr("rec.col.target"): [tr("rec.yes") if o.meets_target else tr("rec.no") if o.decode_tokens_per_s else "—"
                                       for o in top],
                tr("rec.col.reasons"): ["; ".join(r.text(lang) for r in o.reasons) for o in top],
                tr("rec.col.spec_source"): [o.gpu.source_urls[0] for o in top],
            }),
            hide_index=True, width="stretch",
            column_config={tr("rec.col.tps"): st.column_config.NumberColumn(format="%.1f"),
                           tr("rec.col.aggregate"): st.column_config.NumberColumn(format="%.0f"),
                           tr("rec.col.headroom"): st.column_config.NumberColumn(format="%.1f GiB"),
                           tr("rec.col.spec_source"): st.column_config.LinkColumn(display_text=r"https?://(?:www\.)?([^/]+)/.*")},
        )
        best = result.options[0]
        with st.container(border=True):
            st.markdown(f"**{tr('rec.workstation')}: {best.count}× {best.gpu.name} — {fmt_krw(best.price_krw, lang)}**")
            station = best.workstation
            if is_whole_system(best.gpu):
                st.caption(tr("rec.whole_system"))
            else:
                st.dataframe(pd.DataFrame({
                    tr("rec.col.kind"): [p.kind for p in station.parts],
                    tr("rec.part"): [p.name for p in station.parts],
                    tr("rec.part_price"): [fmt_krw(p.price.krw, lang) for p in station.parts],
                    tr("rec.part_date"): [p.price.date for p in station.parts],
                    tr("rec.col.source"): [p.price.source_url for p in station.parts],
                }), hide_index=True, width="stretch",
                    column_config={tr("rec.col.source"): st.column_config.LinkColumn()})
                st.caption(tr("rec.sizing", ram=station.ram_gb, psu=station.psu_w, power=fmt_number(station.power_w, lang),
                              disk=station.disk_tb))

    if result.why_not:
        st.subheader(tr("rec.why_not"))
        st.markdown("\n".join(f"- **{gpu.name}**: {reason.text(lang)}" for gpu, reason in result.why_not))

    # Only the open tab is built: each chart the browser redraws costs about 100 ms of a demo laptop's core.
    pareto_tab, value_tab, price_tab = st.tabs([tr("rec.tab.pareto"), tr("rec.tab.value"), tr("rec.tab.price_vram")],
                                               key=TABS_KEY, on_change="rerun")
    timed = mode != "inference" or calibrated_engine(engine)  # else no option has a speed to chart
    # Why a speed chart is empty, instead of its bare axes.
    untimed = None if timed else tr("rec.no_speeds", engine=engine)
    empty = untimed or (None if result.options else tr("rec.no_options_chart"))
    if pareto_tab.open:
        with pareto_tab:
            if empty:
                st.info(empty)
            else:
                ui.chart(charts_recommend.pareto_chart(result.options, lang), key="rec_chart_pareto")
    if value_tab.open:
        with value_tab:
            if empty:
                st.info(empty)
            else:
                ui.chart(charts_recommend.value_chart(result.options, lang), key="rec_chart_value")
    if price_tab.open:
        with price_tab:
            ui.chart(charts_recommend.price_vram_chart(candidates, book, lang, overrides), key="rec_chart_price_vram")

    # --- buying against renting the top options --------------------------------------------------
    st.subheader(tr("rec.rent_title"))
    if result.options:
        rent_row = st.container(horizontal=True)
        labels = {i: f"{o.count}× {o.gpu.name} — {fmt_krw(o.price_krw, lang)}" for i, o in enumerate(result.options[:15])}
        pick = rent_row.selectbox(tr("rec.rent_option"), list(labels), format_func=labels.get, key="rec_rent_pick")
        kwh = ui.number_in_url(rent_row, tr("rec.kwh"), "kwh", book.default_krw_per_kwh(), 1.0, 2000.0)
        per_day = ui.number_in_url(rent_row, tr("rec.hours_per_day"), "hours", 8.0, 0.5, 24.0, step=0.5)
        option = result.options[pick]
        power_w = option.workstation.power_w
        verdict = buy_or_rent(option.gpu.id, option.count, option.price_krw, power_w, kwh, book) if kwh and power_w else None
        if kwh is None:
            st.caption(tr("rec.kwh_missing"))
        elif power_w is None:
            st.caption(tr("rec.power_missing", system=option.gpu.name))
        elif verdict is None:
            st.caption(tr("rec.rent_none"))
        elif verdict.break_even_hours is None:
            st.warning(tr("rec.rent_never"))
        else:
            st.success(tr("rec.rent_result", provider=verdict.cloud.provider, cloud=fmt_krw(verdict.cloud_krw_per_hour, lang),
                          power=fmt_krw(verdict.power_krw_per_hour, lang), hours=fmt_number(verdict.break_even_hours, lang),
                          per_day=fmt_number(per_day, lang, 1),
                          months=fmt_number(verdict.break_even_months(per_day), lang, 1)))
            st.caption(tr("rec.rent_source", date=verdict.cloud.date, url=verdict.cloud.source_url))

    ui.export_buttons(lambda: recommendation_report(request, result, gpus, lang), "workstation-plan", "rec_export")


planner(custom_models, candidates, condition, int(max_gpus), overrides)
# The same for every scenario: outside the fragment, a long Markdown body is not parsed again on each change
# (interleaved in Chromium: 198 → 180 ms a context change).
with st.expander(tr("rec.explain"), icon=":material/function:"):
    st.markdown(tr("rec.explain_body"))

# --- the team's tiers: the same for every scenario, so drawn outside the planner's fragment -------
st.subheader(tr("tier.title"))
tiers = ui.tiers()
cards = st.columns(len(tiers))
for card, priced in zip(cards, tiers, strict=True):
    with card.container(border=True):
        cpu = priced.workstation.cpu_name or "—"
        st.markdown(f"**{tr(f'tier.{priced.tier.key}')}**  \n"
                    + tr("tier.card", gpu=priced.workstation.gpu.name, cpu=cpu, ram=priced.workstation.ram_gb))
        low, high = priced.tier.notes_budget_krw
        st.markdown(tr("tier.notes", low=fmt_krw(low, lang), high=fmt_krw(high, lang)) + "  \n"
                    + tr("tier.today", total=fmt_krw(priced.workstation.total_krw, lang)))
        if priced.best_in_budget is not None and priced.best_in_budget.id != priced.tier.gpu_id:
            st.info(tr("tier.newer", gpu=priced.best_in_budget.name, n=priced.best_count))
        elif priced.best_in_budget is not None:
            st.caption(tr("tier.same"))
ui.chart(charts_recommend.tier_chart(tiers, lang), key="rec_chart_tiers")
