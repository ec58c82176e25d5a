"""Build a ModelArch from a custom description or a Hugging Face config.json."""

from __future__ import annotations

import json
from typing import Any

from core.models import ModelArch

HF_CONFIG_DOC = "https://huggingface.co/docs/transformers/main_classes/configuration"


def custom_model(
    params_b: float, layers: int, hidden: int, heads: int, kv_heads: int | None = None,
    head_dim: int | None = None, vocab: int = 32000, context_max: int = 131072,
    active_params_b: float | None = None, name: str = "custom",
) -> ModelArch:
    """A model typed in by hand; missing KV heads mean plain multi-head attention."""
    if heads <= 0:
        raise ValueError(f"heads must be a positive number (got {heads})")
    return ModelArch(
        id="custom", name=name, params_b=params_b, layers=layers, hidden=hidden, heads=heads,
        kv_heads=kv_heads if kv_heads is not None else heads,
        head_dim=head_dim if head_dim is not None else max(1, hidden // heads),
        vocab=vocab, context_max=context_max, active_params_b=active_params_b,
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
    attention = hidden * head_dim * (2 * heads + 2 * kv_heads)
    embeddings = vocab * hidden * (1 if tied else 2)
    if experts > 1:
        total = embeddings + layers * (attention + 3 * hidden * expert_ffn * experts)
        active = embeddings + layers * (attention + 3 * hidden * expert_ffn * active_experts)
        return total / 1e9, active / 1e9
    return (embeddings + layers * (attention + 3 * hidden * ffn)) / 1e9, None


def model_from_config(raw: bytes | str, name: str = "config.json") -> ModelArch:
    """Parse a Hugging Face config.json; ValueError says which field is missing or wrong."""
    try:
        config = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"{name} is not valid JSON ({exc})") from None
    if not isinstance(config, dict):
        raise ValueError(f"{name} must hold a JSON object, as Hugging Face config.json files do")
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
        raise ValueError(f"{name} lacks {', '.join(names[m] for m in missing)}; is it a transformer config.json?")
    try:
        layers, hidden, heads, vocab = (int(fields[k]) for k in ("layers", "hidden", "heads", "vocab"))
        kv_heads = int(_first(config, "num_key_value_heads", "n_head_kv") or heads)
        head_dim = int(_first(config, "head_dim") or hidden // max(heads, 1))
        context_max = int(_first(config, "max_position_embeddings", "n_positions", "seq_length") or 4096)
    except (TypeError, ValueError):
        raise ValueError(f"{name} has a non-integer size field") from None
    tied = bool(config.get("tie_word_embeddings", False))
    window = config.get("sliding_window") if config.get("use_sliding_window", True) else None
    params_b, active_b = _estimate_params(config, layers, hidden, heads, kv_heads, head_dim, vocab, tied)
    return ModelArch(
        id="uploaded", name=str(config.get("_name_or_path") or config.get("model_type") or name),
        params_b=round(params_b, 3), active_params_b=round(active_b, 3) if active_b else None,
        layers=layers, hidden=hidden, heads=heads, kv_heads=kv_heads, head_dim=head_dim, vocab=vocab,
        context_max=context_max, tied_embeddings=tied,
        sliding_window=int(window) if isinstance(window, int) and window < context_max else None,
        sliding_layers=_sliding_layers(config, layers) if isinstance(window, int) and window < context_max else 0,
        source_urls=(HF_CONFIG_DOC,),
    )


def _sliding_layers(config: dict[str, Any], layers: int) -> int:
    types = config.get("layer_types")
    if isinstance(types, list):
        return sum(1 for kind in types if kind == "sliding_attention")
    pattern = config.get("sliding_window_pattern")
    if isinstance(pattern, int) and pattern > 1:
        return layers - layers // pattern
    return 0
