"""A SYNTHETIC demo trace: a model of a two-GPU workstation serving LLMs, for replay where no NVIDIA GPU is.

``python -m core.monitor.synth`` writes data/traces/demo.jsonl.gz. No GPU was read to make it; the
header says so and the page labels it. Replace it with ``python -m core record`` on a real machine.

The story, 15 minutes: an RTX 4090 idles on the desktop, Ollama loads an 8B model and answers chats,
unloads, then vLLM claims 90 % of the card and serves a benchmark until the power cap throttles it and
the temperature nears the slowdown point. An RTX 3090 runs ComfyUI image jobs, a llama.cpp server for
code completion and, for a while, a notebook.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shlex
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.monitor.runtimes import tag_runtime
from core.monitor.trace import DEMO_TRACE, TraceWriter
from core.monitor.types import (
    FastReading,
    GpuInfo,
    GpuProcess,
    HostReading,
    Origin,
    SlowReading,
    SourceStatus,
    State,
)
from core.monitor.view import Poll, Rates

SECONDS = 900
SEED = 7
CORES = 16
RAM_MIB = 65536.0


@dataclass(frozen=True)
class Card:
    info: GpuInfo
    power_limit_w: float
    idle_w: float
    sm_max_mhz: float
    mem_max_mhz: float
    pcie_width: int


CARDS = (
    Card(GpuInfo(0, "GPU-5e7e71c0-0000-4090-0000-000000000000", "NVIDIA GeForce RTX 4090", "00000000:01:00.0",
                 24564.0, False, 88.0), 450.0, 21.0, 2520.0, 10501.0, 16),
    Card(GpuInfo(1, "GPU-5e7e71c0-0000-3090-0000-000000000001", "NVIDIA GeForce RTX 3090", "00000000:05:00.0",
                 24576.0, False, 91.0), 350.0, 24.0, 1905.0, 9751.0, 8),
)


@dataclass(frozen=True)
class Proc:
    gpu: int
    pid: int
    command: str
    user: str
    kind: str
    start_s: float
    end_s: float
    memory_mib: Callable[[float], float]  # seconds since the process started → MiB

    def process(self, uuid: str, t: float) -> GpuProcess:
        argv = shlex.split(self.command)
        name = argv[0].rsplit("/", 1)[-1]
        return GpuProcess(gpu_uuid=uuid, pid=self.pid, name=name, command=self.command, user=self.user,
                          gpu_memory_mib=round(self.memory_mib(t - self.start_s), 1), kind=self.kind,
                          runtime=tag_runtime(name, self.command))


def _ramp(full: float, seconds: float) -> Callable[[float], float]:
    return lambda age: full * min(1.0, max(0.0, age) / seconds)


PROCS = (
    Proc(0, 1873, "/usr/lib/xorg/Xorg vt2 -displayfd 3 -auth /run/user/1000/gdm/Xauthority", "gdm", "graphics",
         0, SECONDS, lambda _: 312.0),
    Proc(0, 2241, "/usr/bin/gnome-shell", "team", "graphics", 0, SECONDS, lambda _: 187.0),
    Proc(0, 40412, "/usr/local/bin/ollama runner --model /usr/share/ollama/.ollama/models/blobs/sha256-6a0746a1ec1a "
         "--ctx-size 8192 --batch-size 512 --n-gpu-layers 33 --port 41877", "ollama", "compute", 62, 340,
         _ramp(6134.0, 5)),
    Proc(0, 51200, "/opt/venvs/vllm/bin/python3 -m vllm.entrypoints.openai.api_server --model "
         "Qwen/Qwen2.5-14B-Instruct-AWQ --gpu-memory-utilization 0.90 --max-model-len 16384", "team", "compute",
         362, 845, _ramp(21594.0, 18)),
    Proc(1, 3310, "/home/team/ComfyUI/venv/bin/python /home/team/ComfyUI/main.py --listen 127.0.0.1 --port 8188",
         "team", "compute", 0, SECONDS, lambda _: 7812.0),
    Proc(1, 44109, "/opt/llama.cpp/build/bin/llama-server -m /models/qwen2.5-coder-7b-instruct-q5_k_m.gguf "
         "-ngl 99 -c 16384 --host 127.0.0.1 --port 8081", "team", "compute", 200, 610, _ramp(6410.0, 4)),
    Proc(1, 47733, "/home/team/.venv/bin/python -m ipykernel_launcher -f /run/user/1000/jupyter/kernel-3f2.json",
         "team", "compute", 450, 700, _ramp(3276.0, 25)),
)


def _load_4090(t: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Busy fraction of the 4090 each second: chat bursts under Ollama, a benchmark under vLLM."""
    load = np.zeros_like(t)
    load[(t >= 62) & (t < 67)] = 0.3  # weights copied in
    chat = 75.0
    while chat < 320:
        length = rng.uniform(6, 24)
        load[(t >= chat) & (t < chat + length)] = rng.uniform(0.82, 0.95)
        load[(t >= chat) & (t < chat + 1)] = 0.99  # the prompt
        chat += length + rng.uniform(6, 30)
    load[(t >= 362) & (t < 385)] = 0.7  # profiling and CUDA graph capture
    load[(t >= 420) & (t < 730)] = 1.0
    return load


def _load_3090(t: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    load = np.zeros_like(t)
    job = 20.0
    while job < SECONDS - 15:
        load[(t >= job) & (t < job + 12)] = 1.0  # an SDXL image, 30 steps
        job += rng.uniform(35, 60)
    completions = (t >= 205) & (t < 605) & (rng.random(len(t)) < 0.18)
    load[completions] = np.maximum(load[completions], 0.75)
    notebook = (t >= 470) & (t < 690) & (t % 40 < 14)
    load[notebook] = np.maximum(load[notebook], 0.6)
    return load


def _thermal(power_w: np.ndarray, ambient_c: float, c_per_w: float, tau_s: float) -> np.ndarray:
    """First-order heating: the die approaches ambient + c·P with time constant tau."""
    temps = np.empty_like(power_w)
    temp = ambient_c + c_per_w * power_w[0]
    for i, p in enumerate(power_w):
        temp += (ambient_c + c_per_w * p - temp) / tau_s
        temps[i] = temp
    return temps


def _series(card: Card, load: np.ndarray, model_mib: np.ndarray, rng: np.random.Generator) -> dict[str, np.ndarray]:
    noise = rng.normal(0, 1, len(load))
    util = np.clip(100 * load + 2 * noise * (load > 0), 0, 100)
    util = np.where(load > 0, util, np.clip(rng.integers(0, 4, len(load)), 0, 100))
    wanted = card.idle_w + (model_mib > 0) * 14 + load * (card.power_limit_w * 1.08 - card.idle_w)
    power = np.minimum(wanted + 3 * noise, card.power_limit_w)
    capped = wanted >= card.power_limit_w * 0.985
    busy = load > 0.05
    return {
        "util": util,
        "mem_util": np.clip(util * rng.uniform(0.55, 0.8, len(load)), 0, 100) * busy,
        "power": power,
        "capped": capped,
        "sm": np.where(busy, card.sm_max_mhz - 135 * capped - rng.integers(0, 30, len(load)), 210.0),
        "mem": np.where(busy | (model_mib > 0), card.mem_max_mhz, 405.0),
        "temp": _thermal(power, 31.0, 0.125 if card.info.index == 0 else 0.13, 55.0),
    }


def _host(t: float, busy: float, cached_mib: float, rng: np.random.Generator) -> HostReading:
    cores = np.clip(rng.normal(3 + 20 * busy, 3, CORES), 0, 100)
    if 362 <= t < 385:  # vLLM start-up compiles on several cores
        cores[:8] = np.clip(rng.normal(85, 8, 8), 0, 100)
    if 62 <= t < 67 or 200 <= t < 204:
        cores[3] = 100.0  # one thread reads a model file
    used = 11800 + 2600 * (362 <= t < 845) + 900 * (450 <= t < 700) + rng.normal(0, 40)
    return HostReading(cpu_pct=float(cores.mean()), cpu_per_core_pct=tuple(float(round(c, 1)) for c in cores),
                       ram_total_mib=RAM_MIB, ram_used_mib=float(used), ram_available_mib=float(RAM_MIB - used - 900),
                       ram_cached_mib=float(cached_mib), swap_total_mib=8192.0, swap_used_mib=0.0)


def synthesize(seconds: int = SECONDS, seed: int = SEED, start: float = 0.0) -> list[Poll]:
    rng = np.random.default_rng(seed)
    t = np.arange(seconds, dtype=float)
    loads = (_load_4090(t, rng), _load_3090(t, rng))
    procs_at = [[p for p in PROCS if p.start_s <= s < p.end_s] for s in t]
    def resident(gpu: int, kinds: tuple[str, ...]) -> np.ndarray:
        return np.array([sum(p.memory_mib(s - p.start_s) for p in here if p.gpu == gpu and p.kind in kinds)
                         for s, here in zip(t, procs_at, strict=True)])

    used = [resident(g, ("compute", "graphics")) for g in range(len(CARDS))]
    models = [resident(g, ("compute",)) for g in range(len(CARDS))]
    series = [_series(card, loads[g], models[g], rng) for g, card in enumerate(CARDS)]
    energy_mj = [np.cumsum(s["power"]) * 1000 + 3.6e9 * (g + 1) for g, s in enumerate(series)]
    cached = np.minimum(19000 + np.cumsum((loads[0] > 0.25) * 45 + (loads[1] > 0.5) * 3), 38000)
    rates = Rates()
    polls = []
    for i, s in enumerate(t):
        fast, slow = {}, {}
        for g, card in enumerate(CARDS):
            data, busy = series[g], loads[g][i] > 0.05
            fast[card.info.uuid] = FastReading(
                gpu_util_pct=round(float(data["util"][i]), 0), mem_util_pct=round(float(data["mem_util"][i]), 0),
                memory_used_mib=round(float(used[g][i] + 287), 1), memory_reserved_mib=341.0,
                power_w=round(float(data["power"][i]), 1), sm_clock_mhz=float(data["sm"][i]),
                mem_clock_mhz=float(data["mem"][i]), energy_mj=round(float(energy_mj[g][i]), 0))
            temp = float(data["temp"][i])
            slow[card.info.uuid] = SlowReading(
                temperature_c=round(temp, 0), fan_pct=0.0 if temp < 50 else round(min(100.0, 30 + 1.6 * (temp - 50)), 0),
                power_limit_w=card.power_limit_w, pstate=2 if busy or models[g][i] > 0 else 8,
                throttle_reasons=("sw_power_cap",) if data["capped"][i] else (() if busy else ("idle",)),
                pcie_gen=4 if busy else 1, pcie_width=card.pcie_width)
        processes = tuple(p.process(CARDS[p.gpu].info.uuid, s) for p in procs_at[i])
        polls.append(Poll(
            t=start + s, fast=fast,
            slow=slow if s % rates.slow_s == 0 else None,
            processes=processes if s % rates.processes_s == 0 else None,
            host=_host(s, float(max(loads[0][i], loads[1][i])), float(cached[i]), rng),
        ))
    return polls


def origin(seconds: int, seed: int, out: str) -> Origin:
    return Origin(
        kind="trace", synthetic=True,
        label="SYNTHETIC demo: RTX 4090 + RTX 3090 serving Ollama, vLLM, llama.cpp and ComfyUI (modelled, not measured)",
        recorded_at=dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        recorded_on="no GPU: generated by a model of a two-GPU workstation",
        how=f"python -m core.monitor.synth --seconds {seconds} --seed {seed} --out {out}",
        duration_s=float(seconds),
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m core.monitor.synth", description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=SECONDS)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--out", default=str(DEMO_TRACE.relative_to(DEMO_TRACE.parents[2])))
    args = parser.parse_args(argv)
    status = SourceStatus(State.OK, driver_version="synthetic", cuda_version="synthetic")
    with TraceWriter(Path(args.out)) as writer:
        writer.header(origin(args.seconds, args.seed, args.out), status, tuple(c.info for c in CARDS))
        for poll in synthesize(args.seconds, args.seed):
            writer.write(poll)
    print(f"wrote {writer.count} ticks ({args.seconds} s, SYNTHETIC) to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
