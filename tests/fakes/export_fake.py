"""``python -m tests.fakes.export_fake export --port N ...``: ``python -m core`` over the fake pynvml, so a real
Prometheus can scrape the exporter on a machine without an NVIDIA GPU. Two fake GPUs, as on a workstation."""

from __future__ import annotations

import sys

from tests.fakes.fake_nvml import FakeGpu, FakeNvml

GPUS = [
    FakeGpu(name="NVIDIA GeForce RTX 4090", uuid="GPU-fake-0", memory_used_mib=6144.0, util_gpu=37),
    FakeGpu(name="NVIDIA GeForce RTX 3090", uuid="GPU-fake-1", memory_total_mib=24576.0, memory_used_mib=2048.0,
            util_gpu=5),
]

if __name__ == "__main__":
    sys.modules["pynvml"] = FakeNvml(GPUS)
    from core.cli import main

    sys.exit(main(sys.argv[1:]))
