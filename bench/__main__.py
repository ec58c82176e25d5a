"""Run every benchmark in turn: `python -m bench` (or `python -m bench NAME ...` for some)."""

from __future__ import annotations

import importlib
import platform
import sys
import time

BENCHES = ("bench.browser", "bench.calculator", "bench.training_fit", "bench.speed_fit", "bench.recommend",
           "bench.monitor", "bench.team", "bench.chat")


def main(names: list[str]) -> int:
    print(f"# {platform.node()} · {platform.processor() or platform.machine()} · Python {platform.python_version()}")
    selected = [b for b in BENCHES if not names or b.split(".")[-1] in names]
    for name in selected:
        started = time.perf_counter()
        print(f"\n## {name}")
        importlib.import_module(name).run()
        print(f"({time.perf_counter() - started:.1f} s)")
    return 0


sys.exit(main(sys.argv[1:]))
