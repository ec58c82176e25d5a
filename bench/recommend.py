"""Recommendations: the page's rerun time against the minimal app, and the recommender over the catalog."""

from __future__ import annotations

import statistics
import time

from bench.calculator import RUNS, rerun_ratio
from core.plan.catalog import catalog
from core.plan.models import find_model
from core.plan.prices import price_book
from core.plan.recommend import Request, recommend


def run() -> None:
    page_s, minimal_s = rerun_ratio("recommend.py", "ctx")
    print(f"recommendations rerun after an input change: median {page_s * 1000:.1f} ms over {RUNS} runs")
    print(f"minimal one-page app rerun:                  median {minimal_s * 1000:.1f} ms")
    print(f"ratio: {page_s / minimal_s:.2f}x (goal <= 2x)")
    gpus, book = catalog(), price_book()
    cases = {
        "qwen2.5:14b, 5 users": Request(models=(find_model("qwen2.5:14b"),), users=5),
        "llama3.1:70b, 1 user": Request(models=(find_model("llama3.1:70b"),)),
        "8b + 32b, vLLM, 20 users": Request(models=(find_model("llama3.1:8b"), find_model("qwen2.5:32b")),
                                             engine="vllm", quant="AWQ", users=20),
    }
    for label, request in cases.items():
        times = []
        for _ in range(5):
            started = time.perf_counter()
            result = recommend(request, gpus, book)
            times.append(time.perf_counter() - started)
        print(f"recommender over {len(gpus)} GPUs × up to {request.max_gpus} cards ({label}): "
              f"median {statistics.median(times) * 1000:.1f} ms, {len(result.options)} options")
