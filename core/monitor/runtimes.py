"""Which LLM runtime a GPU process belongs to, from its executable name and command line.

Rules run in order, most specific first: vLLM, SGLang and ComfyUI are python programs too, and LM Studio
ships llama.cpp inside it.
"""

from __future__ import annotations

import re
from typing import NamedTuple


class Rule(NamedTuple):
    tag: str
    label: str
    names: frozenset[str]  # executable basenames, lower case
    fragments: tuple[str, ...]  # substrings of "name command", lower case


RULES = (
    Rule("ollama", "Ollama", frozenset({"ollama", "ollama.exe", "ollama_llama_server"}), ()),
    Rule("lmstudio", "LM Studio", frozenset({"lms", "lm-studio", "lm studio"}), ("lm studio", "lm-studio", ".lmstudio/")),
    Rule("vllm", "vLLM", frozenset({"vllm"}), ("vllm.entrypoints", "-m vllm", "vllm::", "vllmworker")),
    Rule("sglang", "SGLang", frozenset({"sglang"}), ("sglang.launch_server", "-m sglang", "sglang::")),
    Rule("tgi", "TGI", frozenset({"text-generation-launcher", "text-generation-server"}), ("text_generation_server",)),
    Rule("llama.cpp", "llama.cpp", frozenset({"llama-server", "llama-cli", "llama-bench", "llama-run", "llama-server.exe"}),
         ("llama_cpp.server", "llama.cpp/")),
    Rule("comfyui", "ComfyUI", frozenset({"comfyui"}), ("comfyui",)),
    Rule("python", "Python / PyTorch", frozenset({"torchrun", "accelerate", "deepspeed"}), ()),
)
LABELS = {rule.tag: rule.label for rule in RULES}
_PYTHON = re.compile(r"^python[\d.]*(\.exe)?$")


def _basenames(text: str) -> set[str]:
    return {re.split(r"[\\/]", token)[-1] for token in text.split()}


def tag_runtime(name: str, command: str) -> str | None:
    """The runtime's tag (a key of ``LABELS``), or None for anything else (a desktop, a browser, a game)."""
    text = f"{name} {command}".lower()
    names = _basenames(text) | {name.lower()}
    for rule in RULES:
        if names & rule.names or any(fragment in text for fragment in rule.fragments):
            return rule.tag
    if any(_PYTHON.match(n) for n in names):
        return "python"
    return None
