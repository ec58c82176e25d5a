"""A small client for Prometheus's HTTP API (``/api/v1/query`` and ``/api/v1/query_range``).

Plain httpx (already installed with the Ollama client): the two endpoints and their JSON are all the team
view needs, and the Python clients on PyPI bring pandas-style layers we do not use. Every failure is one
``PrometheusError`` with a kind the page turns into a banner: the server cannot be reached, is too slow,
or answered something that is not a Prometheus answer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import httpx

Labels = dict[str, str]

SENTINEL = 1e15
"""DCGM reports unsupported fields as huge integers (9223372036854775794 …): above this, a value is n/a."""


class PrometheusError(Exception):
    KINDS = ("unreachable", "timeout", "bad_answer")
    """Each kind has its own message on the page (team.state.<kind>)."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(f"{kind}: {detail}")
        self.kind = kind
        self.detail = detail


@dataclass(frozen=True)
class Sample:
    labels: Labels
    value: float | None


@dataclass(frozen=True)
class Series:
    labels: Labels
    points: tuple[tuple[float, float | None], ...]


def number(text: str) -> float | None:
    """Prometheus sends values as strings; NaN, infinities and DCGM's sentinels mean n/a."""
    try:
        value = float(text)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(value) or math.isinf(value) or abs(value) > SENTINEL else value


class PrometheusClient:
    def __init__(self, url: str, timeout_s: float = 3.0, transport: httpx.BaseTransport | None = None) -> None:
        self.url = url.rstrip("/")
        self.timeout_s = timeout_s
        self._http = httpx.Client(base_url=self.url, timeout=timeout_s, transport=transport)

    def close(self) -> None:
        self._http.close()

    def _get(self, path: str, params: dict[str, str]) -> list[dict[str, Any]]:
        # POST with form encoding: the name-matching selectors are long, and the API accepts both.
        try:
            reply = self._http.post(path, data={**params, "timeout": f"{self.timeout_s:g}s"})
        except httpx.TimeoutException as exc:
            raise PrometheusError("timeout", f"no answer from {self.url} within {self.timeout_s:g} s") from exc
        except httpx.HTTPError as exc:
            raise PrometheusError("unreachable", f"{self.url}: {exc}") from exc
        try:
            body = reply.json()
        except ValueError:
            raise PrometheusError("bad_answer", f"{self.url}{path} answered HTTP {reply.status_code}, not JSON") from None
        if reply.status_code == 503:
            raise PrometheusError("timeout", str(body.get("error", "query timed out")))
        if not isinstance(body, dict) or body.get("status") != "success":
            error = body.get("error", "") if isinstance(body, dict) else ""
            raise PrometheusError("bad_answer", f"HTTP {reply.status_code}: {error or 'unexpected answer'}")
        return body.get("data", {}).get("result", [])

    def query(self, expr: str, at: float) -> list[Sample]:
        rows = self._get("/api/v1/query", {"query": expr, "time": f"{at:.3f}"})
        return [Sample(dict(row.get("metric", {})), number(row.get("value", (0, ""))[1])) for row in rows]

    def query_range(self, expr: str, start: float, end: float, step_s: float) -> list[Series]:
        rows = self._get("/api/v1/query_range", {"query": expr, "start": f"{start:.3f}", "end": f"{end:.3f}",
                                                 "step": f"{step_s:g}"})
        return [Series(dict(row.get("metric", {})), tuple((float(t), number(v)) for t, v in row.get("values", ())))
                for row in rows]
