"""Units, defined once. A name says what it counts: ``GIB`` is bytes in a GiB, ``MIB_PER_GIB`` is a ratio."""

from __future__ import annotations

MIB = 2**20
"""Bytes in a mebibyte."""
GIB = 2**30
"""Bytes in a gibibyte."""
MIB_PER_GIB = 1024
"""NVML and Prometheus report memory in MiB; the pages show GiB."""
NS_PER_S = 1_000_000_000
"""Ollama reports durations in nanoseconds."""
DAYS_PER_MONTH = 30.4
"""365 / 12, rounded: a month of running costs."""
