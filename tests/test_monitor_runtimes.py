"""Runtime tags from the executable and command line, for the process table."""

from __future__ import annotations

import pytest

from core.monitor.runtimes import LABELS, tag_runtime


@pytest.mark.parametrize(
    ("name", "command", "tag"),
    [
        ("ollama", "/usr/local/bin/ollama serve", "ollama"),
        ("ollama", "/usr/local/bin/ollama runner --model /root/.ollama/models/blobs/sha256-x --port 41877", "ollama"),
        ("ollama_llama_server", "/tmp/ollama123/runners/cuda_v12/ollama_llama_server --model x", "ollama"),
        ("llama-server", "/opt/llama.cpp/build/bin/llama-server -m model.gguf -ngl 99", "llama.cpp"),
        ("python3", "python3 -m llama_cpp.server --model model.gguf", "llama.cpp"),
        ("python3", "/opt/venv/bin/python3 -m vllm.entrypoints.openai.api_server --model Qwen/Qwen2.5-7B", "vllm"),
        ("vllm", "/opt/venv/bin/vllm serve meta-llama/Llama-3.1-8B-Instruct", "vllm"),
        ("VLLM::EngineCor", "VLLM::EngineCore", "vllm"),
        ("text-generation-launcher", "text-generation-launcher --model-id mistralai/Mistral-7B", "tgi"),
        ("python", "/usr/src/server/.venv/bin/python text_generation_server/cli.py serve", "tgi"),
        ("python", "python -m sglang.launch_server --model-path Qwen/Qwen2.5-7B", "sglang"),
        ("sglang::schedul", "sglang::scheduler", "sglang"),
        ("LM Studio", "/Applications/LM Studio.app/Contents/MacOS/LM Studio", "lmstudio"),
        ("llmworker", "/home/me/.lmstudio/extensions/backends/llama.cpp-linux/llmworker", "lmstudio"),
        ("python", "/home/team/ComfyUI/venv/bin/python /home/team/ComfyUI/main.py --listen", "comfyui"),
        ("python3.11", "python3.11 train.py --epochs 3", "python"),
        ("torchrun", "torchrun --nproc-per-node 2 train.py", "python"),
        ("python.exe", "C:\\Python311\\python.exe finetune.py", "python"),
        ("Xorg", "/usr/lib/xorg/Xorg vt2 -displayfd 3", None),
        ("firefox", "/usr/lib/firefox/firefox -contentproc", None),
        ("lmsensors", "lmsensors --all", None),
    ],
)
def test_tags(name: str, command: str, tag: str | None) -> None:
    assert tag_runtime(name, command) == tag


def test_every_tag_has_a_label() -> None:
    assert set(LABELS) == {"ollama", "lmstudio", "vllm", "sglang", "tgi", "llama.cpp", "comfyui", "python"}
