"""`python -m core`: the JSON contract scripts rely on, and the error contract (exit 2, one line)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from core.cli import main

ROOT = Path(__file__).resolve().parents[1]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_real_process_prints_json_and_exits_zero() -> None:
    proc = subprocess.run([sys.executable, "-m", "core", "models", "--json"], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    models = json.loads(proc.stdout)
    expected = {"id", "name", "params_b", "layers", "hidden", "heads", "kv_heads", "head_dim", "vocab",
                "context_max", "aliases"}
    assert all(expected <= set(m) for m in models)
    assert any("llama3.1:8b" in m["aliases"] for m in models)


def test_gpus_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "gpus", "--json")
    gpus = json.loads(out)
    assert code == 0
    assert {"id", "name", "vendor", "vram_gib", "bandwidth_gbps", "source_urls"} <= set(gpus[0])


def test_vram_by_ollama_tag(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "vram", "--model", "llama3.1:8b", "--quant", "Q4_K_M", "--context", "8192", "--json")
    result = json.loads(out)
    assert code == 0
    assert {"weights", "kv_cache", "compute_buffer", "runtime"} <= set(result["components_gib"])
    assert result["components_gib"]["kv_cache"] == pytest.approx(1.0)  # 1024 MiB, as llama.cpp logs
    assert result["fits"] is None  # no GPU named
    assert result["total_gib"] == pytest.approx(sum(result["components_gib"].values()), abs=0.01)


def test_vram_on_a_gpu_and_across_two(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "vram", "--model", "llama-3.1-8b", "--context", "8192", "--gpu", "rtx-4090", "--json")
    single = json.loads(out)
    assert single["fits"] is True and len(single["per_gpu_gib"]) == 1
    _, out, _ = run(capsys, "vram", "--model", "llama-3.1-70b", "--context", "8192", "--gpu", "rtx-4090",
                    "--gpus", "2", "--json")
    pair = json.loads(out)
    assert pair["fits"] is True and len(pair["per_gpu_gib"]) == 2


def test_custom_architecture_and_training(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "vram", "--params-b", "7", "--layers", "32", "--hidden", "4096", "--heads", "32",
                       "--kv-heads", "8", "--vocab", "32000", "--context", "4096", "--mode", "qlora",
                       "--grad-checkpointing", "--json")
    assert code == 0
    parts = json.loads(out)["components_gib"]
    assert {"weights", "adapters", "gradients", "optimizer", "activations", "runtime"} <= set(parts)


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["vram", "--model", "llama3.1:8bb"], "did you mean llama3.1:8b"),
        (["vram", "--model", "llama3.1:8b", "--context", "-5"], "-5 must be a positive"),
        (["vram", "--model", "llama3.1:8b", "--context", "abc"], "'abc' is not a whole number"),
        (["vram", "--model", "llama3.1:8b", "--quant", "Q9_X"], "allowed: Q2_K"),
        (["vram", "--model", "llama3.1:8b", "--context", "99999999"], "outside the allowed range"),
        (["vram", "--model", "llama3.1:8b", "--context", "200000"], "exceeds"),
        (["vram", "--model", "llama3.1:8b", "--gpu", "rtx-409"], "did you mean rtx-4090"),
        (["vram", "--params-b", "0", "--layers", "32", "--hidden", "4096", "--heads", "32"], "must be a positive"),
        (["vram", "--params-b", "nan", "--layers", "32", "--hidden", "4096", "--heads", "32"], "positive, finite"),
        (["vram", "--params-b", "7", "--layers", "32"], "--hidden, --heads"),
        (["vram", "--model", "llama3.1:8b", "--engine", "vllm", "--quant", "Q4_K_M"], "does not load Q4_K_M"),
        (["vram", "--model", "llama3.1:8b", "--kv-cache", "q2"], "allowed: f16, q8_0, q4_0"),
        (["vram", "--model", "gemma3:27b", "--kv-unified"], "llama.cpp (llama-server) setting"),
        (["warp"], "invalid choice"),
    ],
)
def test_bad_input_exits_2_with_one_line(capsys: pytest.CaptureFixture[str], argv: list[str], fragment: str) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1, err
    assert fragment in err
    assert "Traceback" not in err


def test_bad_input_in_a_real_process_has_no_traceback() -> None:
    proc = subprocess.run([sys.executable, "-m", "core", "vram", "--model", "nope", "--json"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "unknown model 'nope'" in proc.stderr


def test_speed_json_contract(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "speed", "--model", "llama3.1:70b", "--context", "8192", "--gpu", "rtx-4090", "--json")
    result = json.loads(out)
    assert code == 0
    assert {"fits", "gpu_layers", "total_layers", "decode_tokens_per_s", "prefill_tokens_per_s",
            "time_to_first_token_s", "bottleneck"} <= set(result)
    assert result["fits"] is False and result["bottleneck"] == "cpu_offload"
    assert 0 < result["gpu_layers"] < result["total_layers"] == 80


def test_speed_of_a_vllm_model_that_cannot_start_is_not_quoted(capsys: pytest.CaptureFixture[str]) -> None:
    """vLLM does not offload layers: 141 GB of BF16 weights on one 80 GB card is no speed at all, on two it runs."""
    argv = ("speed", "--model", "llama-3.1-70b", "--quant", "BF16", "--engine", "vllm", "--context", "2048",
            "--gpu", "h100-sxm", "--json")
    code, out, _ = run(capsys, *argv)
    one = json.loads(out)
    assert code == 0 and one["fits"] is False and one["bottleneck"] == "out_of_memory"
    assert one["decode_tokens_per_s"] is None and one["decode_tokens_per_s_low"] is None
    assert "will not start" in one["why"]
    code, out, _ = run(capsys, *argv, "--gpus", "2")
    two = json.loads(out)
    assert two["fits"] is True and two["decode_tokens_per_s"] > 0 and "why" not in two


def test_speed_of_an_engine_without_calibration_is_not_quoted(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "speed", "--model", "llama3.1:8b", "--quant", "F16", "--engine", "transformers",
                       "--gpu", "a100-80gb-sxm", "--json")
    result = json.loads(out)
    assert code == 0 and result["fits"] is True and result["decode_tokens_per_s"] is None
    assert "not calibrated" in result["why"]


def test_recommend_json_contract(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "recommend", "--model", "qwen2.5:14b", "--users", "2", "--top", "3", "--json")
    options = json.loads(out)
    assert code == 0 and 1 <= len(options) <= 3
    first = options[0]
    assert {"gpus", "price_krw", "price_usd", "decode_tokens_per_s", "fits", "headroom_gib", "power_w",
            "reasons"} <= set(first)
    assert first["fits"] is True and first["gpus"][0]["count"] >= 1


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["speed", "--model", "llama3.1:8b"], "--gpu"),
        (["speed", "--model", "llama3.1:8b", "--gpu", "rtx-4090", "--users", "0"], "must be a positive"),
        (["recommend", "--model", "llama3.1:8b", "--budget-krw", "abc"], "'abc' is not a number"),
        (["recommend", "--model", "llama3.1:8b", "--budget-krw", "1", "--budget-usd", "1"], "not allowed with"),
    ],
)
def test_plan_commands_refuse_bad_input(capsys: pytest.CaptureFixture[str], argv: list[str], fragment: str) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1 and fragment in err


def test_a_card_outside_the_catalog_comes_from_the_database_and_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "vram", "--model", "qwen2.5-7b", "--gpu", "GeForce RTX 2080")
    assert code == 0
    assert "of 8.0 usable: fits" in out
    assert "GeForce RTX 2080: from the TechPowerUp GPU database (https://www.techpowerup.com/gpu-specs/" in out
