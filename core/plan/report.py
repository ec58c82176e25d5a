"""Plan reports that travel into a meeting intact: Markdown, and self-contained HTML whose charts open
offline (plotly.js is inlined). Each carries the scenario, the answer, the formulas, the assumptions,
every data source as a URL, the date, in the reader's language."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import plotly.graph_objects as go
import plotly.offline

from core.i18n import fmt_krw, fmt_number, fmt_range, t
from core.plan import charts_recommend, charts_vram
from core.plan.catalog import GpuSpec
from core.plan.recommend import Recommendation, Request
from core.plan.vram_report import VramReport


@dataclass(frozen=True)
class Section:
    title: str
    lines: tuple[str, ...] = ()  # Markdown
    table: tuple[tuple[str, ...], ...] = ()  # first row is the header
    figure: go.Figure | None = None


@dataclass(frozen=True)
class Report:
    title: str
    date: str
    sections: tuple[Section, ...]
    sources: tuple[str, ...]
    accessed: Mapping[str, str] = field(default_factory=dict)
    """When a source was read, where the data file records it (the GPU catalog's `accessed` column)."""

    def _read(self, url: str, lang: str) -> str:
        return f" ({t('report.accessed', lang, date=self.accessed[url])})" if self.accessed.get(url) else ""

    def markdown(self, lang: str) -> str:
        out = [f"# {self.title}", "", f"{t('report.date', lang)}: {self.date}", ""]
        for section in self.sections:
            out += [f"## {section.title}", ""]
            out += list(section.lines)
            if section.table:
                header, *rows = section.table
                out += ["", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
                out += ["| " + " | ".join(cell.replace("|", "/") for cell in row) + " |" for row in rows]
            if section.figure is not None:
                out += ["", f"_{t('report.chart_in_html', lang)}_"]
            out.append("")
        out += [f"## {t('common.sources', lang)}", ""] + [f"{i + 1}. {url}{self._read(url, lang)}"
                                                            for i, url in enumerate(self.sources)]
        return "\n".join(out) + "\n"

    def html(self, lang: str) -> str:
        body = [f"<h1>{html.escape(self.title)}</h1>", f"<p class='date'>{t('report.date', lang)}: {self.date}</p>"]
        for section in self.sections:
            body.append(f"<h2>{html.escape(section.title)}</h2>")
            body += [f"<p>{_inline(line)}</p>" for line in section.lines if line.strip()]
            if section.table:
                header, *rows = section.table
                body.append("<table><thead><tr>" + "".join(f"<th>{html.escape(c)}</th>" for c in header)
                            + "</tr></thead><tbody>" + "".join(
                                "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows)
                            + "</tbody></table>")
            if section.figure is not None:
                # A validated copy: the page's fast figures skip plotly's template resolution.
                body.append(go.Figure(section.figure.to_dict()).to_html(
                    full_html=False, include_plotlyjs=False, config={"displaylogo": False}))
        body.append(f"<h2>{t('common.sources', lang)}</h2><ol>"
                    + "".join(f"<li><a href='{html.escape(u)}'>{html.escape(u)}</a>{html.escape(self._read(u, lang))}</li>"
                              for u in self.sources)
                    + "</ol>")
        return (
            f"<!DOCTYPE html><html lang='{lang}'><head><meta charset='utf-8'><title>{html.escape(self.title)}</title>"
            f"<style>{_CSS}</style><script>{plotly.offline.get_plotlyjs()}</script></head>"
            f"<body>{''.join(body)}</body></html>"
        )


_CSS = (
    "body{font-family:'Noto Sans CJK KR','Noto Sans KR',sans-serif;max-width:1100px;margin:2em auto;color:#0f172a}"
    "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #cbd5e1;padding:4px 8px;text-align:left}"
    "th{background:#f1f5f9}.date{color:#64748b}code{background:#f1f5f9;padding:1px 4px}"
)


def _inline(line: str) -> str:
    """The little Markdown the reports use: **bold** and `code`, on escaped text."""
    text = html.escape(line)
    for mark, tag in (("**", "b"), ("`", "code")):
        parts = text.split(mark)
        text = "".join(f"<{tag}>{p}</{tag}>" if i % 2 else p for i, p in enumerate(parts))
    return text


def _unique(urls: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(u for u in urls if u))


def _today() -> str:
    return dt.date.today().isoformat()


def calculator_report(report: VramReport, lang: str, date: str | None = None) -> Report:
    s, est = report.scenario, report.estimate
    scenario = (
        f"**{t('vram.model', lang)}**: {s.model.name}", f"**{t('vram.mode', lang)}**: {t(f'mode.{s.mode}', lang)}",
        f"**{t('vram.engine', lang)}**: {s.engine} · **{t('vram.quant', lang)}**: {s.quant} · "
        f"**{t('vram.context', lang)}**: {s.context:,} · **{t('vram.parallel', lang)}**: {s.parallel}",
        f"**{t('vram.gpu', lang)}**: {s.gpus}× {s.gpu.name}" if s.gpu else f"**{t('vram.gpu', lang)}**: —",
    )
    verdict = [f"**{t('vram.total', lang)}**: {est.total_gib:.2f} GiB"]
    if est.fits is not None:
        verdict.append(f"**{t('vram.per_gpu', lang)}**: {max(est.per_gpu_gib):.2f} / {est.usable_gib_per_gpu:.1f} GiB "
                       f"({t('vram.fits', lang) if est.fits else t('vram.no_fit', lang)})")
    if report.max_context_tokens is not None:
        verdict.append(f"**{t('vram.max_context', lang)}**: {report.max_context_tokens:,}")
    terms = ((t("report.term", lang), "GiB", t("report.formula", lang), t("common.source", lang)),) + tuple(
        (t(f"term.{term.key}", lang), f"{term.gib:.2f}", f"{term.formula}  [{term.substituted}]", term.source_url)
        for term in est.terms
    )
    fits = ((t("col.gpu", lang), t("col.count", lang), t("col.headroom", lang)),) + tuple(
        (row.gpu.name, str(row.count), f"{row.headroom_gib:.1f} GiB") for row in report.fits_on if row.count
    )[:15]
    return Report(
        title=t("report.vram_title", lang, model=s.model.name),
        date=date or _today(),
        sections=(
            Section(t("report.scenario", lang), scenario),
            Section(t("report.answer", lang), tuple(verdict), figure=charts_vram.breakdown_chart(report, lang)),
            Section(t("report.terms", lang), table=terms),
            Section(t("vram.fits_table", lang), table=fits, figure=charts_vram.fits_chart(report, lang)),
            Section(t("chart.context_title", lang, model=s.model.name), figure=charts_vram.context_chart(report, lang)),
            Section(t("report.assumptions", lang), (t("vram.assumptions", lang),)),
        ),
        sources=_unique([term.source_url for term in est.terms] + list(s.model.source_urls)
                        + (list(s.gpu.source_urls) if s.gpu else [])),
        accessed=_read_dates([s.gpu] if s.gpu else []),
    )


def recommendation_report(request: Request, result: Recommendation, gpus: Sequence[GpuSpec], lang: str,
                          date: str | None = None) -> Report:
    names = ", ".join(m.name for m in request.models)
    scenario = (
        f"**{t('rec.models', lang)}**: {names}",
        f"**{t('vram.mode', lang)}**: {t(f'mode.{request.mode}', lang)} · **{t('vram.engine', lang)}**: {request.engine}"
        f" · **{t('vram.quant', lang)}**: {request.quant} · **{t('vram.context', lang)}**: {request.context:,}",
        f"**{t('rec.users', lang)}**: {request.users} · **{t('rec.min_tps', lang)}**: {request.min_tokens_per_s or '—'}"
        f" · **{t('rec.budget', lang)}**: {fmt_krw(request.budget_krw, lang) if request.budget_krw else '—'}",
    )
    ranked = ((t("rec.col.rank", lang), t("rec.col.config", lang), t("rec.col.total", lang), t("rec.col.tps", lang),
               t("rec.col.headroom", lang), t("rec.col.reasons", lang)),) + tuple(
        (str(i + 1), f"{o.count}× {o.gpu.name}", fmt_krw(o.price_krw, lang),
         f"{o.decode_tokens_per_s:.1f} ({fmt_range(o.decode_tokens_per_s_low, o.decode_tokens_per_s_high)})"
         if o.decode_tokens_per_s and o.decode_tokens_per_s_low and o.decode_tokens_per_s_high else "—",
         f"{o.headroom_gib:.1f} GiB",
         "; ".join(r.text(lang) for r in o.reasons))
        for i, o in enumerate(result.options[:10])
    )
    sections = [Section(t("report.scenario", lang), scenario), Section(t("rec.ranked", lang), table=ranked)]
    sources: list[str] = []
    if result.options:
        best = result.options[0]
        station = best.workstation
        header = tuple(t(key, lang) for key in ("rec.col.kind", "rec.part", "rec.part_price", "rec.part_date",
                                                 "rec.col.source"))
        parts: tuple[tuple[str, ...], ...] = (
            header, ("gpu", f"{best.count}× {best.gpu.name}", fmt_krw(station.gpu_price_krw, lang), "",
                     station.gpu_price_source or t("report.typed_price", lang)))
        parts += tuple((p.kind, p.name, fmt_krw(p.price.krw, lang), p.price.date, p.price.source_url) for p in station.parts)
        sections.append(Section(f"{t('rec.workstation', lang)}: {fmt_krw(best.price_krw, lang)}",
                                (t("rec.sizing", lang, ram=station.ram_gb, psu=station.psu_w,
                                   power=fmt_number(station.power_w, lang), disk=station.disk_tb),), table=parts))
        sources += [station.gpu_price_source or ""] + [p.price.source_url for p in station.parts]
        sources += list(best.gpu.source_urls)
    sections += [
        Section(t("rec.why_not", lang), tuple(f"- **{g.name}**: {r.text(lang)}" for g, r in result.why_not)),
        Section(t("plan.chart.pareto", lang), figure=charts_recommend.pareto_chart(result.options, lang)),
        Section(t("plan.chart.value", lang), figure=charts_recommend.value_chart(result.options, lang)),
        Section(t("rec.explain", lang), (t("rec.explain_body", lang),)),
    ]
    sources += [u for m in request.models for u in m.source_urls]
    sources += ["docs/speed_calibration.md", "docs/calibration.md"]
    return Report(t("report.rec_title", lang, models=names), date or _today(), tuple(sections), _unique(sources),
                  _read_dates([result.options[0].gpu] if result.options else []))


def _read_dates(gpus: Sequence[GpuSpec]) -> dict[str, str]:
    return {url: gpu.accessed for gpu in gpus if gpu.accessed for url in gpu.source_urls}
