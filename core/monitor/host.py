"""The host through psutil: CPU, RAM (page cache apart from what programs hold), swap, and who a PID is."""

from __future__ import annotations

from types import ModuleType
from typing import NamedTuple

import psutil

from core.monitor.types import HostReading
from core.units import MIB


class ProcessFacts(NamedTuple):
    name: str
    command: str
    user: str | None
    note: str | None  # "outside_namespace" or "denied" when psutil could not see everything


def read_host(ps: ModuleType = psutil) -> HostReading:
    """psutil's CPU percentages are since its previous call, so the first reading after start is 0."""
    per_core = tuple(float(p) for p in ps.cpu_percent(percpu=True))
    memory = ps.virtual_memory()
    swap = ps.swap_memory()
    cached = getattr(memory, "cached", None)
    if cached is not None:
        cached += getattr(memory, "buffers", 0)
    return HostReading(
        cpu_pct=sum(per_core) / len(per_core) if per_core else None,
        cpu_per_core_pct=per_core,
        ram_total_mib=memory.total / MIB,
        ram_used_mib=memory.used / MIB,
        ram_available_mib=memory.available / MIB,
        ram_cached_mib=None if cached is None else cached / MIB,
        swap_total_mib=swap.total / MIB,
        swap_used_mib=swap.used / MIB,
    )


def describe_process(pid: int) -> ProcessFacts | None:
    """Name, command line and user of a host PID. NVML reports host PIDs, so inside a container
    without --pid=host the process is not visible here: None, and the caller says so."""
    try:
        proc = psutil.Process(pid)
        name = proc.name()
    except psutil.NoSuchProcess:
        return None
    except psutil.AccessDenied:
        return ProcessFacts(name="", command="", user=None, note="denied")
    try:
        return ProcessFacts(name=name, command=" ".join(proc.cmdline()), user=proc.username(), note=None)
    except (psutil.AccessDenied, psutil.ZombieProcess):
        return ProcessFacts(name=name, command="", user=None, note="denied")
    except psutil.NoSuchProcess:
        return None
