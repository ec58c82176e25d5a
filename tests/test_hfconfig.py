from __future__ import annotations

import json

import pytest

from core.plan.hfconfig import model_from_config
from core.plan.models import find_model

LLAMA_31_8B_CONFIG = {
    "architectures": ["LlamaForCausalLM"], "hidden_size": 4096, "intermediate_size": 14336,
    "max_position_embeddings": 131072, "model_type": "llama", "num_attention_heads": 32,
    "num_hidden_layers": 32, "num_key_value_heads": 8, "tie_word_embeddings": False, "vocab_size": 128256,
}


def test_llama_config_gives_the_published_parameter_count() -> None:
    model = model_from_config(json.dumps(LLAMA_31_8B_CONFIG))
    assert model.params_b == pytest.approx(8.03, rel=0.01)
    assert (model.layers, model.kv_heads, model.head_dim, model.context_max) == (32, 8, 128, 131072)


def test_moe_config_counts_all_and_active_experts() -> None:
    config = {**LLAMA_31_8B_CONFIG, "num_local_experts": 8, "num_experts_per_tok": 2, "intermediate_size": 14336,
              "vocab_size": 32000, "max_position_embeddings": 32768}
    model = model_from_config(json.dumps(config))
    assert model.is_moe
    assert model.active_params_b < model.params_b / 3


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"{not json", "not valid JSON"),
        (b"[1, 2]", "JSON object"),
        (json.dumps({"hidden_size": 4096}).encode(), "num_hidden_layers"),
        (json.dumps({**LLAMA_31_8B_CONFIG, "num_key_value_heads": 64}).encode(), "cannot exceed"),
        (json.dumps({**LLAMA_31_8B_CONFIG, "hidden_size": "big"}).encode(), "non-integer"),
    ],
)
def test_bad_files_say_what_is_wrong(payload: bytes, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        model_from_config(payload, "config.json")


def test_a_hybrid_config_keeps_kv_only_on_its_attention_layers() -> None:
    # Qwen3.6-35B-A3B's text_config, abridged: three Gated DeltaNet layers to each full-attention layer.
    text = {"num_hidden_layers": 40, "hidden_size": 2048, "num_attention_heads": 16, "num_key_value_heads": 2,
            "head_dim": 256, "vocab_size": 248320, "max_position_embeddings": 262144, "full_attention_interval": 4,
            "layer_types": (["linear_attention"] * 3 + ["full_attention"]) * 10, "linear_num_key_heads": 16,
            "linear_num_value_heads": 32, "linear_key_head_dim": 128, "linear_value_head_dim": 128,
            "linear_conv_kernel_dim": 4, "num_experts": 256, "num_experts_per_tok": 8}
    model = model_from_config(json.dumps({"architectures": ["Qwen3_5MoeForConditionalGeneration"], "text_config": text}))
    assert (model.attention_layers, model.recurrent_layers) == (10, 30)
    assert model.recurrent_state_bytes == find_model("qwen3.6-35b-a3b").recurrent_state_bytes == 2_195_456


def test_a_mamba_hybrid_config_keeps_kv_only_on_its_attention_layers() -> None:
    # Nemotron 3 Nano's config, abridged: '*' attention, 'M' Mamba-2, 'E' MoE layers.
    config = {"num_hidden_layers": 52, "hidden_size": 2688, "num_attention_heads": 32, "num_key_value_heads": 2,
              "head_dim": 128, "vocab_size": 131072, "max_position_embeddings": 262144,
              "hybrid_override_pattern": "MEMEM*EMEMEM*EMEMEM*EMEMEM*EMEMEM*EMEMEMEM*EMEMEMEME",
              "mamba_num_heads": 64, "mamba_head_dim": 64, "ssm_state_size": 128, "n_groups": 8, "conv_kernel": 4}
    model = model_from_config(json.dumps(config))
    assert (model.attention_layers, model.recurrent_layers) == (6, 23)
    assert model.recurrent_state_bytes == find_model("nemotron-3-nano-30b-a3b").recurrent_state_bytes == 2_170_880


def test_gemma_4_gives_its_global_and_windowed_layers_their_own_kv_shapes() -> None:
    # Gemma 4 31B's text_config, abridged (Ollama's gemma4 test fixture): 5 windowed layers to each global one,
    # 16 KV heads of 256 on the windowed layers, 4 of 512 on the global ones.
    text = {"num_hidden_layers": 60, "hidden_size": 5376, "num_attention_heads": 32, "num_key_value_heads": 16,
            "head_dim": 256, "global_head_dim": 512, "num_global_key_value_heads": 4, "attention_k_eq_v": True,
            "vocab_size": 262144, "max_position_embeddings": 262144, "sliding_window": 1024,
            "layer_types": (["sliding_attention"] * 5 + ["full_attention"]) * 10, "tie_word_embeddings": True}
    model = model_from_config(json.dumps({"architectures": ["Gemma4ForConditionalGeneration"], "text_config": text}))
    catalog = find_model("gemma-4-31b")
    assert (model.kv_heads, model.head_dim, model.swa_kv_dim, model.sliding_layers) == (4, 512, 4096, 50)
    assert (catalog.kv_dim, catalog.swa_kv_dim) == (model.kv_dim, model.swa_kv_dim)


def test_a_latent_attention_config_caches_its_latent_and_counts_its_experts() -> None:
    # GLM-4.7-Flash's config.json (glm4_moe_lite): MLA with a 512-wide latent and 64 rope dims, 64 routed experts
    # (top 4) plus one shared, the first layer dense.
    config = {"architectures": ["Glm4MoeLiteForCausalLM"], "model_type": "glm4_moe_lite", "vocab_size": 154880,
              "hidden_size": 2048, "intermediate_size": 10240, "moe_intermediate_size": 1536, "num_hidden_layers": 47,
              "num_attention_heads": 20, "num_key_value_heads": 20, "max_position_embeddings": 202752,
              "q_lora_rank": 768, "kv_lora_rank": 512, "qk_nope_head_dim": 192, "qk_rope_head_dim": 64,
              "v_head_dim": 256, "n_routed_experts": 64, "n_shared_experts": 1, "num_experts_per_tok": 4,
              "first_k_dense_replace": 1, "tie_word_embeddings": False}
    model = model_from_config(json.dumps(config))
    catalog = find_model("glm-4.7-flash")
    assert model.latent_kv and (model.kv_heads, model.head_dim) == (1, 576)
    assert model.params_b == pytest.approx(catalog.params_b, rel=0.005)  # the BF16 file's 29.94B
    assert model.active_params_b == pytest.approx(catalog.active_params_b, rel=0.02)
