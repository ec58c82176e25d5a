"""The memory estimate against what Ollama and NVML report for a loaded model, with a known gap."""

from __future__ import annotations

from core.chat.measurements import Machine
from core.chat.reconcile import reconcile
from core.chat.types import ModelInfo, RunningModel
from core.monitor.host import ProcessFacts
from core.monitor.live import LiveSource
from core.monitor.nvml import NvmlSource
from core.monitor.sampler import Sampler
from core.monitor.types import HostReading
from core.plan.catalog import catalog
from core.plan.models import find_model
from core.units import GIB
from tests.fakes.fake_nvml import FakeGpu, FakeNvml, FakeProcess

MIB = 2**20
HOST = HostReading(cpu_pct=5.0, cpu_per_core_pct=(5.0,), ram_total_mib=8000.0, ram_used_mib=1000.0,
                   ram_available_mib=7000.0, ram_cached_mib=0.0, swap_total_mib=0.0, swap_used_mib=0.0)


def view_with_runner(runner_mib: int, used_mib: float):  # type: ignore[no-untyped-def]
    gpu = FakeGpu(memory_used_mib=used_mib, compute=[FakeProcess(pid=4242, used_bytes=runner_mib * MIB)])
    source = LiveSource(NvmlSource(nvml=FakeNvml(gpus=[gpu]),
                                   describe=lambda pid: ProcessFacts("ollama", "ollama runner --model x", "ollama", None)),
                        host=lambda: HOST)
    sampler = Sampler(source, clock=lambda: 1000.0)
    sampler.tick(1000.0)
    return sampler.view(60, now=1000.0)


def test_a_known_gap_is_named_with_its_cause() -> None:
    model = find_model("llama3.1:8b")
    info = ModelInfo(name="llama3.1:8b", quantization="Q4_K_M", arch=model)
    machine = Machine("ws-01", "NVIDIA GeForce RTX 4090", 1, "550.54", "rtx-4090", "0.12.6")
    # Ollama says 9 GiB at 8k context, all of it in VRAM; the runner holds 10 GiB; the GPU 12 GiB in all.
    running = RunningModel(name="llama3.1:8b", size_bytes=9 * GIB, size_vram_bytes=9 * GIB, context_length=8192)
    rec = reconcile(running, info, machine, catalog(), view_with_runner(10 * 1024, 12 * 1024))
    assert rec.estimate_gib is not None and 5 < rec.estimate_gib < 7.5  # weights, KV at 8k, graph, reserve
    assert rec.ollama_gib == 9 and rec.runner_gib == 10 and rec.others_gib == 2
    assert set(rec.causes) == {"reconcile.cause.budget_more", "reconcile.cause.runner_extra"}


def test_another_hosts_model_gets_no_nvml_figures() -> None:
    running = RunningModel(name="llama3.1:8b", size_bytes=6 * GIB, size_vram_bytes=3 * GIB, context_length=4096)
    elsewhere = Machine("gpu-box", "", 0, "", "", "0.12.6")
    rec = reconcile(running, None, elsewhere, catalog(), view_with_runner(1024, 2048))
    assert rec.estimate_gib is None and rec.runner_gib is None and rec.others_gib is None
    assert rec.causes == ("reconcile.cause.offload",)
