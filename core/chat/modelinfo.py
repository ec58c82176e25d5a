"""Read /api/show's ``model_info`` (GGUF metadata) into a ModelInfo the estimators can use."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, TypeGuard

from core.chat.types import ModelInfo
from core.csvdata import DataFileError
from core.errors import InputError
from core.plan.models import ModelArch, find_model, recurrent_layer_state_bytes

_SIZE = re.compile(r"\s*([\d.]+)\s*([KMBT])\s*", re.IGNORECASE)
_SCALE = {"K": 1e3, "M": 1e6, "B": 1e9, "T": 1e12}


def parse_parameter_size(text: str | None) -> int | None:
    """Ollama's ``details.parameter_size`` ("8.0B", "137M") as a count, for models whose show lacks the number."""
    match = _SIZE.fullmatch(text or "")
    return round(float(match.group(1)) * _SCALE[match.group(2).upper()]) if match else None


def _listed(value: object) -> TypeGuard[Sequence[Any]]:
    return isinstance(value, Sequence) and not isinstance(value, str)


def _int(info: Mapping[str, Any], key: str) -> int | None:
    value = info.get(key)
    if _listed(value):
        # Some architectures give per-layer lists (e.g. head_count_kv); the largest layer decides memory.
        value = max((v for v in value if isinstance(v, (int, float))), default=None)
    return int(value) if isinstance(value, (int, float)) and value > 0 else None


def arch_from_model_info(name: str, info: Mapping[str, Any], parameter_count: int | None) -> ModelArch | None:
    """The transformer shape from GGUF keys (``<arch>.block_count`` …); None when a size is missing."""
    prefix = str(info.get("general.architecture") or "")
    layers = _int(info, f"{prefix}.block_count")
    hidden = _int(info, f"{prefix}.embedding_length")
    heads = _int(info, f"{prefix}.attention.head_count")
    tokens = info.get("tokenizer.ggml.tokens")
    vocab = _int(info, f"{prefix}.vocab_size") or (len(tokens) if isinstance(tokens, list) and tokens else None)
    context = _int(info, f"{prefix}.context_length")
    if not (prefix and layers and hidden and heads and vocab and context and parameter_count):
        return None
    if _truncated(info, f"{prefix}.attention.head_count_kv"):
        return None  # a per-layer list that /api/show left out: the cache's shape is unknown, and none is guessed
    layers -= _int(info, f"{prefix}.nextn_predict_layers") or 0  # a multi-token-prediction head is no decode layer
    experts, used = _int(info, f"{prefix}.expert_count"), _int(info, f"{prefix}.expert_used_count")
    expert_ff = _int(info, f"{prefix}.expert_feed_forward_length")
    active = None
    if experts and used and expert_ff and experts > used:
        # Unused experts' gate, up and down matrices on every MoE layer are what a token does not read.
        moe_layers = layers - (_int(info, f"{prefix}.leading_dense_block_count") or 0)
        active = parameter_count - (experts - used) * 3 * hidden * expert_ff * moe_layers
    recurrent, state = _gated_delta_net(info, prefix, layers)
    window, sliding = _sliding_layers(info, prefix, layers)
    kv_heads = _layer_int(info, f"{prefix}.attention.head_count_kv", sliding, full=True) or heads
    head_dim = _int(info, f"{prefix}.attention.key_length") or max(1, hidden // heads)
    swa_heads = _layer_int(info, f"{prefix}.attention.head_count_kv", sliding, full=False) or kv_heads
    swa_dim = (_int(info, f"{prefix}.attention.key_length_swa") or head_dim) * swa_heads
    try:
        return ModelArch(
            id=name, name=name, params_b=parameter_count / 1e9, layers=layers, hidden=hidden, heads=heads,
            kv_heads=min(heads, kv_heads), head_dim=head_dim,
            sliding_window=window, sliding_layers=sum(sliding),
            sliding_kv_dim=swa_dim if any(sliding) and swa_dim != min(heads, kv_heads) * head_dim else None,
            # deepseek2's keys already give the latent's shape (head_count_kv 1, key_length 576); llama.cpp caches the
            # latent only when the GGUF names the per-head sizes it decompresses to (key_length_mla).
            latent_kv=_int(info, f"{prefix}.attention.key_length_mla") is not None,
            vocab=vocab, context_max=context, family=prefix,
            active_params_b=active / 1e9 if active and active > 0 else None,
            experts=experts if active and active > 0 else None, experts_active=used if active and active > 0 else None,
            recurrent_layers=recurrent, recurrent_state_bytes=state,
        )
    except (ValueError, InputError):
        return None


SWA_PATTERN = {"gemma2": 2, "gemma3": 6, "gemma4": 6, "gpt-oss": 2, "cohere2": 4}
"""Where the GGUF does not say which layers use the window, or /api/show left that list out: every n-th layer
attends to the whole context (llama.cpp src/llama-model.cpp, hparams.set_swa_pattern, for Gemma 2 and 3,
gpt-oss and Cohere 2; Gemma 4's own GGUF pattern, five windowed layers to one global)."""


def _sliding_layers(info: Mapping[str, Any], prefix: str, layers: int) -> tuple[int | None, list[bool]]:
    """The window and, per layer, whether that layer only sees it; no window: (None, all False)."""
    window = _int(info, f"{prefix}.attention.sliding_window")
    pattern = info.get(f"{prefix}.attention.sliding_window_pattern")
    if not window or window >= (_int(info, f"{prefix}.context_length") or 0):
        return None, [False] * layers
    if _listed(pattern) and len(pattern) >= layers:
        return window, [bool(flag) for flag in pattern[:layers]]
    if _listed(pattern):
        pattern = None  # left out by /api/show (or too short): the architecture's own pattern, where known
    every = pattern if isinstance(pattern, int) and pattern > 1 else SWA_PATTERN.get(prefix)
    if not every:
        return None, [False] * layers
    return window, [(i + 1) % every != 0 for i in range(layers)]


def _truncated(info: Mapping[str, Any], key: str) -> bool:
    """/api/show without ``verbose`` sends every list longer than five items as an empty list."""
    value = info.get(key)
    return _listed(value) and len(value) == 0


def _layer_int(info: Mapping[str, Any], key: str, sliding: list[bool], full: bool) -> int | None:
    """A per-layer key (head_count_kv) read at a full-attention layer or at a sliding one."""
    value = info.get(key)
    if _listed(value):
        picked = [v for v, swa in zip(value, sliding, strict=False) if swa != full and isinstance(v, (int, float)) and v > 0]
        return int(max(picked)) if picked else _int(info, key)
    return _int(info, key)


def _gated_delta_net(info: Mapping[str, Any], prefix: str, layers: int) -> tuple[int, int]:
    """Qwen3.5/3.6 and Qwen3-Next: one layer in ``full_attention_interval`` attends, the others hold an f32
    state per sequence sized from the same ``ssm.*`` keys llama.cpp reads."""
    interval = _int(info, f"{prefix}.full_attention_interval")
    conv, state = _int(info, f"{prefix}.ssm.conv_kernel"), _int(info, f"{prefix}.ssm.state_size")
    inner, groups = _int(info, f"{prefix}.ssm.inner_size"), _int(info, f"{prefix}.ssm.group_count")
    if not (interval and interval > 1 and conv and state and inner and groups):
        return 0, 0
    return layers - layers // interval, recurrent_layer_state_bytes(conv, inner, groups, state)


def catalog_arch(name: str) -> ModelArch | None:
    """The curated catalog's entry for an Ollama tag, which also knows MoE and sliding-window layouts."""
    try:
        return find_model(name)
    except (InputError, DataFileError, OSError):
        return None


def model_info(name: str, info: Mapping[str, Any] | None, quantization: str = "", parameter_size: str = "",
               capabilities: Sequence[str] = ()) -> ModelInfo:
    info = info or {}
    prefix = str(info.get("general.architecture") or "")
    count = _int(info, "general.parameter_count") or parse_parameter_size(parameter_size)
    return ModelInfo(
        name=name, architecture=prefix, context_max=_int(info, f"{prefix}.context_length") if prefix else None,
        parameter_count=count, quantization=quantization, capabilities=tuple(capabilities),
        arch=catalog_arch(name) or arch_from_model_info(name, info, count),
    )
