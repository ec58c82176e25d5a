"""Measurements of this team's own machines: one row per finished answer or benchmark run, in the server's
SQLite file beside the conversations but in a table of its own. No prompt or answer text is kept here, so
the table can be exported and shared as calibration data.
"""

from __future__ import annotations

import csv
import io
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import closing, contextmanager
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

from core.chat.errors import StoreError
from core.chat.types import ChatStats, LocalModel, ModelInfo
from core.csvdata import Column, read_text_rows
from core.plan.local import LocalRun
from core.plan.speed import SpeedEstimate

MIN_COUNTED_TOKENS = 32
"""Answers shorter than this are kept but flagged: the first tokens' timing is mostly overhead."""
FLAGS = ("", "stopped", "failed", "short")
SOURCES = ("chat", "bench", "import")


@dataclass(frozen=True)
class Measurement:
    """What one answer measured, what the model and machine were, and what was predicted for it."""

    at: float
    source: str  # chat | bench | import
    flag: str  # "" counts; stopped | failed | short are kept and left out of corrections
    host: str  # the Ollama host's name in OLLAMA_HOSTS
    machine: str  # the server's name
    ollama_version: str
    model: str
    digest: str
    family: str
    parameter_count: int | None
    quantization: str
    architecture: str
    num_ctx: int | None
    depth_tokens: int | None  # the prompt the answer attended to (Ollama's prompt_eval_count)
    parallel: int | None
    decode_tokens_per_s: float | None
    prompt_tokens_per_s: float | None
    eval_count: int | None
    prompt_eval_count: int | None
    first_token_s: float | None
    load_s: float | None
    gpu_names: str
    gpu_count: int
    driver: str
    gpu_id: str  # the catalog's id for the GPUs, "" when the catalog does not know them
    engine: str
    backend: str
    predicted_tokens_per_s: float | None  # the published calibration's prediction for this exact case
    predicted_low: float | None
    predicted_high: float | None

    @property
    def counts(self) -> bool:
        return (not self.flag and bool(self.gpu_id) and bool(self.decode_tokens_per_s)
                and bool(self.predicted_tokens_per_s))

    @property
    def error_pct(self) -> float | None:
        if not self.decode_tokens_per_s or not self.predicted_tokens_per_s:
            return None
        return (self.predicted_tokens_per_s - self.decode_tokens_per_s) / self.decode_tokens_per_s * 100

    def run(self) -> LocalRun:
        assert self.decode_tokens_per_s and self.predicted_tokens_per_s
        return LocalRun(self.gpu_id, self.gpu_count, self.engine, self.backend, self.predicted_tokens_per_s,
                        self.decode_tokens_per_s)


FIELDS = tuple(f.name for f in fields(Measurement))
_TYPES = {f.name: f.type for f in fields(Measurement)}


def flag_for(stopped: bool, failed: bool, eval_count: int | None) -> str:
    if failed:
        return "failed"
    if stopped:
        return "stopped"
    return "short" if (eval_count or 0) < MIN_COUNTED_TOKENS else ""


def _sql_type(name: str) -> str:
    kind = str(_TYPES[name])
    return "REAL" if "float" in kind else "INTEGER" if "int" in kind else "TEXT NOT NULL DEFAULT ''"


_SCHEMA = "CREATE TABLE IF NOT EXISTS measurements (id INTEGER PRIMARY KEY, " + ", ".join(
    f"{name} {_sql_type(name)}" for name in FIELDS) + ");"
_MEMORY_SCHEMA = """
CREATE TABLE IF NOT EXISTS memory_checks (
    id INTEGER PRIMARY KEY, at REAL NOT NULL, model TEXT NOT NULL, context INTEGER, gpu_id TEXT NOT NULL,
    estimate_gib REAL, ollama_gib REAL NOT NULL, ollama_vram_gib REAL NOT NULL, runner_gib REAL,
    UNIQUE (model, context, gpu_id, ollama_gib, ollama_vram_gib)
);"""
"""Each loaded configuration once: what the memory estimator said against what the engine held."""


class MeasurementStore:
    """The measurements table of the server's database (the conversations' file)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with self._connect() as conn:
                conn.execute(_SCHEMA)
                conn.executescript(_MEMORY_SCHEMA)
        except OSError as exc:
            raise StoreError(path=str(path), detail=str(exc)) from exc

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        try:
            with closing(sqlite3.connect(self.path, timeout=5)) as conn:
                conn.row_factory = sqlite3.Row
                with conn:
                    yield conn
        except sqlite3.Error as exc:
            raise StoreError(path=str(self.path), detail=str(exc)) from exc

    def add(self, rows: Iterable[Measurement]) -> int:
        """All rows in one transaction: a batch is stored whole or not at all."""
        values = [tuple(getattr(row, name) for name in FIELDS) for row in rows]
        with self._connect() as conn:
            conn.executemany(f"INSERT INTO measurements ({', '.join(FIELDS)}) VALUES ({', '.join('?' * len(FIELDS))})",
                             values)
        return len(values)

    def all(self) -> list[Measurement]:
        with self._connect() as conn:
            found = conn.execute(f"SELECT {', '.join(FIELDS)} FROM measurements ORDER BY at").fetchall()
        return [Measurement(**dict(row)) for row in found]

    def add_memory_check(self, model: str, context: int | None, gpu_id: str, estimate_gib: float | None,
                         ollama_gib: float, ollama_vram_gib: float, runner_gib: float | None) -> None:
        """Once per loaded configuration: a page redrawn every second does not repeat it."""
        with self._connect() as conn:
            conn.execute("INSERT OR IGNORE INTO memory_checks (at, model, context, gpu_id, estimate_gib, ollama_gib, "
                         "ollama_vram_gib, runner_gib) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                         (now(), model, context, gpu_id, estimate_gib, round(ollama_gib, 3), round(ollama_vram_gib, 3),
                          runner_gib))

    def memory_checks(self) -> list[dict[str, object]]:
        with self._connect() as conn:
            return [dict(row) for row in conn.execute("SELECT * FROM memory_checks ORDER BY at").fetchall()]

    def runs(self) -> list[LocalRun]:
        return [m.run() for m in self.all() if m.counts]


def to_csv(rows: Iterable[Measurement]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if v is None else v for k, v in asdict(row).items()})
    return out.getvalue()


def _column(name: str) -> Column:
    kind = str(_TYPES[name])
    if name == "flag":
        return Column(name, "choice", choices=FLAGS)
    if name == "source":
        return Column(name, "choice", required=True, choices=SOURCES)
    if "float" in kind:
        return Column(name, "float", required=name == "at", low=0, high=1e10)
    if "int" in kind:
        return Column(name, "int", required=name == "gpu_count", low=0, high=10**12)
    return Column(name)


def from_csv(text: str, name: str) -> list[Measurement]:
    """Rows exported by another team (or this one); DataFileError names the file, line and column."""
    out = []
    for _, row in read_text_rows(text, name, [_column(f) for f in FIELDS]):
        values: dict[str, Any] = {k: ("" if v is None and _TYPES[k] == "str" else v) for k, v in row.items()}
        out.append(replace(Measurement(**values), source="import"))
    return out


def now() -> float:
    return time.time()


@dataclass(frozen=True)
class Machine:
    """Where a measurement was taken: the server, its GPUs as the monitor's sampler sees them, and Ollama."""

    name: str
    gpu_names: str
    gpu_count: int
    driver: str
    gpu_id: str  # the catalog's id, "" when unknown or mixed
    ollama_version: str


def measured(stats: ChatStats, *, model: str, machine: Machine, host: str, local: LocalModel | None,
             info: ModelInfo | None, num_ctx: int | None, stopped: bool, failed: bool,
             prediction: SpeedEstimate | None, source: str = "chat", parallel: int | None = None) -> Measurement:
    """The row for one answer; the prediction is the published calibration's, before any local correction."""
    return Measurement(
        at=now(), source=source, flag=flag_for(stopped, failed, stats.eval_count), host=host, machine=machine.name,
        ollama_version=machine.ollama_version, model=model, digest=local.digest if local else "",
        family=local.family if local else "", parameter_count=info.parameter_count if info else None,
        quantization=(info.quantization if info else "") or (local.quantization if local else ""),
        architecture=info.architecture if info else "", num_ctx=num_ctx, depth_tokens=stats.prompt_eval_count,
        parallel=parallel, decode_tokens_per_s=stats.tokens_per_s, prompt_tokens_per_s=stats.prompt_tokens_per_s,
        eval_count=stats.eval_count, prompt_eval_count=stats.prompt_eval_count, first_token_s=stats.first_token_s,
        load_s=stats.load_s, gpu_names=machine.gpu_names, gpu_count=machine.gpu_count, driver=machine.driver,
        gpu_id=machine.gpu_id, engine="ollama", backend=prediction.backend if prediction else "",
        predicted_tokens_per_s=prediction.decode_tokens_per_s if prediction else None,
        predicted_low=prediction.decode_tokens_per_s_low if prediction else None,
        predicted_high=prediction.decode_tokens_per_s_high if prediction else None,
    )
