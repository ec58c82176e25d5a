"""Build a ModelArch from a custom description or a Hugging Face config.json."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from core.errors import InputError
from core.plan.models import ModelArch, recurrent_layer_state_bytes

HF_CONFIG_DOC = "https://huggingface.co/docs/transformers/main_classes/configuration"


@dataclass(frozen=True)
class CustomField:
    """One input of a hand-typed architecture: its default (Llama-3.1-8B's value) and allowed range."""

    name: str
    default: float
    low: float
    high: float


CUSTOM_FIELDS = (
    CustomField("params_b", 8.0, 0.01, 5000.0), CustomField("layers", 32, 1, 512),
    CustomField("hidden", 4096, 64, 65536), CustomField("heads", 32, 1, 1024), CustomField("kv_heads", 8, 1, 1024),
    CustomField("head_dim", 128, 16, 1024), CustomField("vocab", 128256, 1000, 1_000_000),
    CustomField("context_max", 131072, 512, 10_000_000), CustomField("active_params_b", 0.0, 0.0, 5000.0),
)
"""The one table of custom-architecture inputs: the pages and the CLI all take their defaults and bounds here."""
CUSTOM_DEFAULTS = {f.name: f.default for f in CUSTOM_FIELDS}


def custom_model(
    params_b: float, layers: int, hidden: int, heads: int, kv_heads: int | None = None,
    head_dim: int | None = None, vocab: int = int(CUSTOM_DEFAULTS["vocab"]),
    context_max: int = int(CUSTOM_DEFAULTS["context_max"]), active_params_b: float | None = None,
    name: str = "custom",
) -> ModelArch:
    """A model typed in by hand; missing KV heads mean plain multi-head attention. An active parameter
    count of 0 means a dense model, as the forms show it."""
    if heads <= 0:
        raise InputError("err.positive", name="heads", value=heads)
    return ModelArch(
        id="custom", name=name, params_b=params_b, layers=layers, hidden=hidden, heads=heads,
        kv_heads=kv_heads if kv_heads is not None else heads,
        head_dim=head_dim if head_dim is not None else max(1, hidden // heads),
        vocab=int(vocab), context_max=int(context_max), active_params_b=active_params_b or None,
    )


def _first(config: dict[str, Any], *keys: str) -> Any:
    for key in keys:
        if config.get(key) is not None:
            return config[key]
    return None


def _estimate_params(config: dict[str, Any], layers: int, hidden: int, heads: int, kv_heads: int,
                     head_dim: int, vocab: int, tied: bool) -> tuple[float, float | None]:
    """config.json rarely states the parameter count; count the weight matrices instead."""
    ffn = int(_first(config, "intermediate_size", "ffn_hidden_size") or 4 * hidden)
    experts = int(_first(config, "num_local_experts", "num_experts", "n_routed_experts") or 1)
    active_experts = int(_first(config, "num_experts_per_tok", "num_experts_per_token") or experts)
    expert_ffn = int(_first(config, "moe_intermediate_size") or ffn)
    attention = _mla_attention(config, hidden, heads) or hidden * head_dim * (2 * heads + 2 * kv_heads)
    embeddings = vocab * hidden * (1 if tied else 2)
    pattern = config.get("hybrid_override_pattern")
    if isinstance(pattern, str):
        return _nemotron_h_params(config, pattern, hidden, attention, embeddings, expert_ffn, experts, active_experts)
    if experts > 1:
        # DeepSeek-style MoE: the first layers keep a dense MLP, and every MoE layer adds always-on shared experts.
        dense = min(layers, int(_first(config, "first_k_dense_replace") or 0))
        shared = 3 * hidden * expert_ffn * int(_first(config, "n_shared_experts") or 0)
        fixed = embeddings + layers * attention + dense * 3 * hidden * ffn + (layers - dense) * shared
        total = fixed + (layers - dense) * 3 * hidden * expert_ffn * experts
        active = fixed + (layers - dense) * 3 * hidden * expert_ffn * active_experts
        return total / 1e9, active / 1e9
    return (embeddings + layers * (attention + 3 * hidden * ffn)) / 1e9, None


def _mla_attention(config: dict[str, Any], hidden: int, heads: int) -> int:
    """Weights of one multi-head latent attention layer (DeepSeek-V2/V3, GLM-4.7-Flash); 0 for other models."""
    try:
        rank = int(config["kv_lora_rank"])
        rope, nope, v_dim = (int(config[k]) for k in ("qk_rope_head_dim", "qk_nope_head_dim", "v_head_dim"))
    except (KeyError, TypeError, ValueError):
        return 0
    q_rank = int(config.get("q_lora_rank") or 0)
    query = hidden * q_rank + q_rank * heads * (nope + rope) if q_rank else hidden * heads * (nope + rope)
    return query + hidden * (rank + rope) + rank * heads * (nope + v_dim) + heads * v_dim * hidden


def _nemotron_h_params(config: dict[str, Any], pattern: str, hidden: int, attention: int, embeddings: int,
                       expert_ffn: int, experts: int, active_experts: int) -> tuple[float, float | None]:
    """Nemotron-H: attention on '*' layers, Mamba-2 on 'M' (in_proj to 2·d_inner + 2·n_groups·d_state + heads,
    out_proj back), and on 'E' layers squared-ReLU experts of two matrices, in a latent width where the config
    names one (Nemotron 3 Super's LatentMoE), plus the shared expert."""
    heads = int(config.get("mamba_num_heads") or 0)
    d_inner = heads * int(config.get("mamba_head_dim") or 0)
    groups, d_state = int(config.get("n_groups") or 0), int(config.get("ssm_state_size") or 0)
    mamba = hidden * (2 * d_inner + 2 * groups * d_state + heads) + d_inner * hidden
    width = int(config.get("moe_latent_size") or hidden)
    shared = 2 * hidden * int(config.get("moe_shared_expert_intermediate_size") or 0) * int(config.get("n_shared_experts") or 0)
    fixed = embeddings + pattern.count("*") * attention + pattern.count("M") * mamba
    total = fixed + pattern.count("E") * (2 * width * expert_ffn * experts + shared)
    active = fixed + pattern.count("E") * (2 * width * expert_ffn * active_experts + shared)
    return total / 1e9, (active / 1e9 if experts > 1 else None)


def model_from_config(raw: bytes | str, name: str = "config.json") -> ModelArch:
    """Parse a Hugging Face config.json; the InputError says which field is missing or wrong."""
    try:
        config = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError("err.config_json", name=name, detail=str(exc)) from None
    if not isinstance(config, dict):
        raise InputError("err.config_object", name=name)
    # Multimodal configs (Gemma 3, Llama 4, Mistral 3) nest the language model.
    if isinstance(config.get("text_config"), dict):
        config = {**config, **config["text_config"]}
    fields = {
        "layers": _first(config, "num_hidden_layers", "n_layer", "num_layers"),
        "hidden": _first(config, "hidden_size", "n_embd", "d_model"),
        "heads": _first(config, "num_attention_heads", "n_head"),
        "vocab": _first(config, "vocab_size"),
    }
    missing = [key for key, value in fields.items() if value is None]
    if missing:
        names = {"layers": "num_hidden_layers", "hidden": "hidden_size", "heads": "num_attention_heads",
                 "vocab": "vocab_size"}
        raise InputError("err.config_missing", name=name, fields=", ".join(names[m] for m in missing))
    try:
        layers, hidden, heads, vocab = (int(fields[k]) for k in ("layers", "hidden", "heads", "vocab"))
        kv_heads = int(_first(config, "num_key_value_heads", "n_head_kv") or heads)
        head_dim = int(_first(config, "head_dim") or hidden // max(heads, 1))
        context_max = int(_first(config, "max_position_embeddings", "n_positions", "seq_length") or 4096)
    except (TypeError, ValueError):
        raise InputError("err.config_size", name=name) from None
    tied = bool(config.get("tie_word_embeddings", False))
    window = config.get("sliding_window") if config.get("use_sliding_window", True) else None
    params_b, active_b = _estimate_params(config, layers, hidden, heads, kv_heads, head_dim, vocab, tied)
    recurrent_layers, state_bytes, kv_layers = _recurrent(config, layers)
    sliding_kv_dim, latent = None, False
    if isinstance(config.get("kv_lora_rank"), int) and isinstance(config.get("qk_rope_head_dim"), int):
        # Latent attention: one latent of kv_lora_rank + rope dims per token and layer, as llama.cpp caches it.
        latent, kv_heads, head_dim = True, 1, int(config["kv_lora_rank"]) + int(config["qk_rope_head_dim"])
    elif "global_head_dim" in config or "num_global_key_value_heads" in config:
        # Gemma 4: the global layers have their own KV heads and head size; the windowed ones keep the plain keys.
        try:
            sliding_kv_dim = kv_heads * head_dim
            kv_heads = int(config.get("num_global_key_value_heads") or kv_heads)
            head_dim = int(config.get("global_head_dim") or head_dim)
        except (TypeError, ValueError):
            raise InputError("err.config_size", name=name) from None
    return ModelArch(
        id="uploaded", name=str(config.get("_name_or_path") or config.get("model_type") or name),
        params_b=round(params_b, 3), active_params_b=round(active_b, 3) if active_b else None,
        layers=layers, hidden=hidden, heads=heads, kv_heads=kv_heads, head_dim=head_dim, vocab=vocab,
        context_max=context_max, tied_embeddings=tied,
        sliding_window=int(window) if isinstance(window, int) and window < context_max else None,
        sliding_layers=_sliding_layers(config, layers) if isinstance(window, int) and window < context_max else 0,
        recurrent_layers=recurrent_layers, recurrent_state_bytes=state_bytes, kv_layers=kv_layers,
        sliding_kv_dim=sliding_kv_dim if sliding_kv_dim != kv_heads * head_dim else None, latent_kv=latent,
        source_urls=(HF_CONFIG_DOC,),
    )


def _recurrent(config: dict[str, Any], layers: int) -> tuple[int, int, int | None]:
    """Recurrent layers, their state per layer and sequence (recurrent_layer_state_bytes), and the layers with a
    KV cache where some layers hold neither: Gated DeltaNet (Qwen3.5/3.6, Qwen3-Next), or Mamba-2 (Nemotron-H),
    whose hybrid_override_pattern marks attention '*', Mamba 'M' and MoE 'E' layers."""
    pattern = config.get("hybrid_override_pattern")
    try:
        if isinstance(pattern, str) and len(pattern) == layers:
            d_state, groups = int(config["ssm_state_size"]), int(config["n_groups"])
            d_inner = int(config["mamba_num_heads"]) * int(config["mamba_head_dim"])
            d_conv, count, kv_layers = int(config.get("conv_kernel", 4)), pattern.count("M"), pattern.count("*")
        else:
            d_state, groups = int(config["linear_key_head_dim"]), int(config["linear_num_key_heads"])
            d_inner = int(config["linear_value_head_dim"]) * int(config["linear_num_value_heads"])
            d_conv, kv_layers = int(config.get("linear_conv_kernel_dim", 4)), None
            types = config.get("layer_types")
            interval = config.get("full_attention_interval")
            count = (sum(1 for kind in types if kind == "linear_attention") if isinstance(types, list)
                     else layers - layers // interval if isinstance(interval, int) and interval > 0 else 0)
    except (KeyError, TypeError, ValueError):
        return 0, 0, None
    if not 0 < count < layers or kv_layers == 0:
        return 0, 0, None
    return count, recurrent_layer_state_bytes(d_conv, d_inner, groups, d_state), kv_layers


def _sliding_layers(config: dict[str, Any], layers: int) -> int:
    types = config.get("layer_types")
    if isinstance(types, list):
        return sum(1 for kind in types if kind == "sliding_attention")
    pattern = config.get("sliding_window_pattern")
    if isinstance(pattern, int) and pattern > 1:
        return layers - layers // pattern
    return 0
