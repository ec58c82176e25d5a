"""The chat's plain logic: server-side bounds, configuration, model_info parsing, stats lines, export, prediction."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from ollama._client import _parse_host

from core.chat import limits, transcript
from core.chat.config import DEFAULT_HOST, OllamaConfig, data_dir, normalize_host
from core.chat.errors import ModelNotFound
from core.chat.modelinfo import arch_from_model_info, model_info, parse_parameter_size
from core.chat.predict import detected_gpu, predicted_speed
from core.chat.present import model_label, running_label, stats_line
from core.chat.types import ChatOptions, ChatStats, Conversation, LocalModel, ModelInfo, RunningModel, Turn
from core.errors import InputError
from core.monitor.types import GpuInfo
from core.plan.catalog import catalog
from tests.fakes.ollama_server import default_models

ROOT = Path(__file__).resolve().parents[1]


# --- configuration ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("value", ["", "1.2.3.4", ":56789", "http://1.2.3.4", "https://example.com",
                                   "example.com:56789/path/", "[0001:002:003:0004::1]", "https://[::1]:8443/x"])
def test_host_is_read_the_way_the_official_client_reads_it(value: str) -> None:
    assert normalize_host(value) == _parse_host(value)


def test_configuration_comes_from_the_server_environment_only() -> None:
    assert OllamaConfig.from_env({}) == OllamaConfig(url=DEFAULT_HOST, allow_pull=False)
    config = OllamaConfig.from_env({"OLLAMA_HOST": "10.0.0.5", "ALLOW_MODEL_PULL": "1",
                                    "OLLAMA_READ_TIMEOUT_S": "oops"})
    assert config.url == "http://10.0.0.5:11434" and config.allow_pull and config.read_timeout_s == 300.0
    assert not OllamaConfig.from_env({"ALLOW_MODEL_PULL": "0"}).allow_pull


def test_data_dir_is_configurable(tmp_path: Path) -> None:
    assert data_dir({"PLANNER_DATA_DIR": str(tmp_path)}) == tmp_path
    assert data_dir({"XDG_DATA_HOME": str(tmp_path)}) == tmp_path / "llm-workstation-planner"
    assert data_dir({}).parts[-3:] == (".local", "share", "llm-workstation-planner")


# --- bounds -------------------------------------------------------------------------------------------------
def test_prompt_bounds() -> None:
    assert limits.check_prompt("  hi \n") == "hi"
    with pytest.raises(InputError, match="empty"):
        limits.check_prompt("   ")
    with pytest.raises(InputError) as too_long:
        limits.check_prompt("x" * (limits.MAX_PROMPT_CHARS + 1))
    assert "16,001" in str(too_long.value) and "16,000" in too_long.value.message("ko")


def test_options_are_checked_and_num_ctx_is_clamped_to_the_model() -> None:
    assert limits.bound_options(ChatOptions(num_ctx=200_000), context_max=131072).num_ctx == 131072
    assert limits.bound_options(ChatOptions(num_ctx=8192), context_max=131072).num_ctx == 8192
    for bad in (ChatOptions(temperature=5.0), ChatOptions(top_p=-0.1), ChatOptions(num_predict=0),
                ChatOptions(seed=-3), ChatOptions(num_ctx=16)):
        with pytest.raises(InputError, match="outside the allowed range"):
            limits.bound_options(bad, None)
    with pytest.raises(InputError, match="keep_alive"):
        limits.bound_options(ChatOptions(keep_alive="forever"), None)


def test_request_sends_system_first_and_never_resends_thinking() -> None:
    turns = [Turn("user", "a"), Turn("assistant", "b", thinking="secret"), Turn("assistant", ""), Turn("user", "c")]
    request = limits.build_request("m:1", {"m:1"}, " be brief ", turns, ChatOptions(num_ctx=10**6), 4096)
    assert request.messages == ({"role": "system", "content": "be brief"}, {"role": "user", "content": "a"},
                                {"role": "assistant", "content": "b"}, {"role": "user", "content": "c"})
    assert request.options.num_ctx == 4096


def test_request_refuses_unlisted_models_and_answered_questions() -> None:
    with pytest.raises(ModelNotFound):
        limits.build_request("evil:1", {"m:1"}, "", [Turn("user", "a")], ChatOptions())
    with pytest.raises(InputError, match="no question"):
        limits.build_request("m:1", {"m:1"}, "", [Turn("user", "a"), Turn("assistant", "b")], ChatOptions())
    with pytest.raises(InputError, match="system prompt"):
        limits.build_request("m:1", {"m:1"}, "s" * 5000, [Turn("user", "a")], ChatOptions())


def test_request_sends_only_the_most_recent_turns() -> None:
    turns = [Turn("user" if i % 2 == 0 else "assistant", str(i)) for i in range(501)]
    request = limits.build_request("m:1", {"m:1"}, "", turns, ChatOptions())
    assert len(request.messages) == limits.MAX_TURNS_SENT and request.messages[-1]["content"] == "500"


@pytest.mark.parametrize("name", ["llama3.2", "library/qwen3:8b", "hf.co/org/model-GGUF:Q4_K_M"])
def test_model_names_that_may_be_pulled(name: str) -> None:
    assert limits.check_model_name(f" {name} ") == name


@pytest.mark.parametrize("name", ["", "-rf", "a b", "x" * 300, "../etc", "a;rm", "a..b"])
def test_model_names_that_may_not_be_pulled(name: str) -> None:
    with pytest.raises(InputError):
        limits.check_model_name(name)


# --- model_info --------------------------------------------------------------------------------------------
def test_architecture_from_gguf_keys() -> None:
    llama = default_models()[0]
    arch = arch_from_model_info("x", llama.model_info, llama.model_info["general.parameter_count"])
    assert arch is not None
    assert (arch.layers, arch.hidden, arch.heads, arch.kv_heads, arch.head_dim, arch.context_max) == \
        (28, 3072, 24, 8, 128, 131072)
    assert arch.params_b == pytest.approx(3.2127, abs=1e-4)


def test_missing_sizes_or_per_layer_lists() -> None:
    info = dict(default_models()[0].model_info)
    info["llama.attention.head_count_kv"] = [8, 8, 4]
    assert arch_from_model_info("x", info, 1_000_000_000).kv_heads == 8  # type: ignore[union-attr]
    del info["llama.block_count"]
    assert arch_from_model_info("x", info, 1_000_000_000) is None
    assert model_info("x", None).arch is None and model_info("x", None).context_max is None


@pytest.mark.parametrize(("text", "count"), [("8.0B", 8_000_000_000), ("137M", 137_000_000),
                                              ("1.5T", 1_500_000_000_000), ("", None), ("big", None)])
def test_parameter_size_strings(text: str, count: int | None) -> None:
    assert parse_parameter_size(text) == count


# --- what the page shows ------------------------------------------------------------------------------------
def test_stats_line_puts_the_measurement_next_to_the_prediction() -> None:
    stats = ChatStats(done_reason="stop", eval_count=282, eval_duration_ns=4_535_599_000, prompt_eval_count=26,
                      prompt_eval_duration_ns=342_546_000, load_duration_ns=1_334_875, first_token_s=0.41,
                      predicted_tokens_per_s=71.0)
    assert stats_line(stats, "en") == ("⚡ 62.2 tokens/s · predicted 71.0 tokens/s · prompt 76 tokens/s · "
                                       "first token 0.41 s · load 0.00 s · 26 → 282 tokens")
    assert "예측 n/a" in stats_line(replace(stats, predicted_tokens_per_s=None), "ko")
    stopped = ChatStats(first_token_s=0.1, wall_s=2.0, chunks=40)
    assert stats_line(stopped, "en").startswith("40 pieces in 2.0 s")


def test_labels_for_models() -> None:
    model = LocalModel("llama3.2:latest", 2_019_393_189, "3.2B", "Q4_K_M")
    assert model_label(model, "en") == "llama3.2:latest · 3.2B · Q4_K_M · 1.9 GiB"
    split = RunningModel("qwen3:8b", 1000, 800, 8192)
    assert running_label(split, "en") == "**qwen3:8b** · VRAM 0.0 GiB · 20%/80% CPU/GPU · context 8,192"
    assert "100% CPU" in running_label(RunningModel("m", 1000, 0), "en")


def gpu(name: str, memory_mib: float | None, index: int = 0) -> GpuInfo:
    return GpuInfo(index=index, uuid=f"GPU-{index}", name=name, memory_total_mib=memory_mib)


@pytest.mark.parametrize(("nvml_name", "memory_mib", "catalog_id"), [
    ("NVIDIA GeForce RTX 4090", 24564, "rtx-4090"),
    ("NVIDIA GeForce RTX 4070", 12282, "rtx-4070"),
    ("NVIDIA GeForce RTX 4070 Ti", 12282, "rtx-4070-ti"),
    ("NVIDIA GeForce RTX 3080", 10240, "rtx-3080-10gb"),
    ("NVIDIA H100 PCIe", 81559, "h100-pcie"),
    ("NVIDIA RTX A6000", 49140, "rtx-a6000"),
])
def test_the_drivers_gpu_name_finds_its_catalog_entry(nvml_name: str, memory_mib: float, catalog_id: str) -> None:
    found = detected_gpu([gpu(nvml_name, memory_mib)], catalog())
    assert found is not None and found[0].id == catalog_id and found[1] == 1


def test_no_unknown_or_mixed_gpus_means_no_prediction() -> None:
    assert detected_gpu([], catalog()) is None
    assert detected_gpu([gpu("Imaginary Accelerator 9000", 1024)], catalog()) is None
    mixed = [gpu("NVIDIA GeForce RTX 4090", 24564), gpu("NVIDIA GeForce RTX 3090", 24576, 1)]
    assert detected_gpu(mixed, catalog()) is None
    pair = detected_gpu([gpu("NVIDIA GeForce RTX 3090", 24576), gpu("NVIDIA GeForce RTX 3090", 24576, 1)], catalog())
    assert pair is not None and pair[1] == 2


def test_prediction_comes_from_the_speed_estimator_for_the_detected_gpu() -> None:
    info = model_info("my-llama:3b", default_models()[0].model_info, "Q4_K_M")
    fast = predicted_speed(info, detected_gpu([gpu("NVIDIA GeForce RTX 4090", 24564)], catalog()))
    slow = predicted_speed(info, detected_gpu([gpu("NVIDIA GeForce RTX 3060", 12288)], catalog()))
    assert fast is not None and slow is not None and fast.decode_tokens_per_s > slow.decode_tokens_per_s > 10
    assert fast.decode_tokens_per_s_low < fast.decode_tokens_per_s < fast.decode_tokens_per_s_high
    assert predicted_speed(info, None) is None
    assert predicted_speed(ModelInfo("x"), (catalog()[0], 1)) is None
    odd = replace(info, quantization="IQ2_XXS")
    assert predicted_speed(odd, (catalog()[0], 1)) is None, "an unknown quantization is not guessed"


def test_export_markdown_and_json_keep_everything() -> None:
    conversation = Conversation(3, "Sky", "llama3.2:latest", "be brief", ChatOptions(temperature=0.3), 1e9, 1e9)
    turns = [Turn("user", "why blue?", created_at=1e9),
             Turn("assistant", "Rayleigh.", thinking="hmm", model="llama3.2:latest", created_at=1e9,
                  stats=ChatStats(done_reason="length", eval_count=2, eval_duration_ns=10**8), stopped=True)]
    text = transcript.to_markdown(conversation, turns, "en")
    assert text.startswith("# Sky\n") and "## System prompt\n\nbe brief" in text
    assert "## User\n\nwhy blue?" in text and "Rayleigh." in text and "_Stopped before the end._" in text
    assert "20.0 tokens/s" in text and "<summary>Thinking</summary>" in text
    document = json.loads(transcript.to_json(conversation, turns))
    assert document["options"]["temperature"] == 0.3 and document["system_prompt"] == "be brief"
    assert document["messages"][1]["stats"]["eval_duration_ns"] == 10**8 and document["messages"][1]["stopped"]
    assert "## 사용자" in transcript.to_markdown(conversation, turns, "ko")




def test_a_hybrid_moe_read_from_its_gguf_keys_caches_only_its_attention_layers() -> None:
    # /api/show of a Qwen3.5-35B-A3B GGUF (keys as llama.cpp writes them): 1 in 4 layers attends, 256 experts,
    # 8 used; the rest are Gated DeltaNet layers with a fixed state.
    prefix = "qwen35moe"
    info = {"general.architecture": prefix, f"{prefix}.block_count": 41, f"{prefix}.nextn_predict_layers": 1,
            f"{prefix}.context_length": 262144, f"{prefix}.embedding_length": 2048, f"{prefix}.vocab_size": 248320,
            f"{prefix}.attention.head_count": 16, f"{prefix}.attention.head_count_kv": 2,
            f"{prefix}.attention.key_length": 256, f"{prefix}.expert_count": 256, f"{prefix}.expert_used_count": 8,
            f"{prefix}.expert_feed_forward_length": 512, f"{prefix}.full_attention_interval": 4,
            f"{prefix}.ssm.conv_kernel": 4, f"{prefix}.ssm.state_size": 128, f"{prefix}.ssm.group_count": 16,
            f"{prefix}.ssm.inner_size": 4096}
    arch = arch_from_model_info("qwen3.5:35b", info, 34_660_000_000)
    assert arch is not None and arch.is_moe
    assert (arch.layers, arch.attention_layers, arch.recurrent_layers) == (40, 10, 30)
    assert arch.recurrent_state_bytes == 2_195_456  # as the catalog's Qwen3.6 35B-A3B, and llama.cpp's log
    assert 3.0 < (arch.active_params_b or 0) < 4.0


def test_gemma_4_read_from_its_gguf_keys_has_windowed_and_global_kv_shapes() -> None:
    # /api/show of gemma4:31b (keys as llama.cpp writes them): a per-layer head_count_kv and a sliding-window
    # pattern, 16 KV heads of 256 on windowed layers, 4 of 512 on every sixth.
    prefix = "gemma4"
    sliding = [(i + 1) % 6 != 0 for i in range(60)]
    info = {"general.architecture": prefix, f"{prefix}.block_count": 60, f"{prefix}.context_length": 262144,
            f"{prefix}.embedding_length": 5376, f"{prefix}.vocab_size": 262144, f"{prefix}.attention.head_count": 32,
            f"{prefix}.attention.head_count_kv": [16 if swa else 4 for swa in sliding],
            f"{prefix}.attention.key_length": 512, f"{prefix}.attention.key_length_swa": 256,
            f"{prefix}.attention.sliding_window": 1024, f"{prefix}.attention.sliding_window_pattern": sliding}
    arch = arch_from_model_info("my-gemma4", info, 30_700_000_000)
    assert arch is not None
    assert (arch.kv_heads, arch.head_dim, arch.swa_kv_dim) == (4, 512, 4096)
    assert (arch.sliding_window, arch.sliding_layers) == (1024, 50)
    gpt_oss = {"general.architecture": "gpt-oss", "gpt-oss.block_count": 24, "gpt-oss.context_length": 131072,
               "gpt-oss.embedding_length": 2880, "gpt-oss.vocab_size": 201088, "gpt-oss.attention.head_count": 64,
               "gpt-oss.attention.head_count_kv": 8, "gpt-oss.attention.key_length": 64,
               "gpt-oss.attention.sliding_window": 128}
    arch = arch_from_model_info("my-gpt-oss", gpt_oss, 20_900_000_000)
    assert arch is not None and (arch.sliding_layers, arch.sliding_kv_dim) == (12, None)


def test_a_latent_attention_model_read_from_its_gguf_keys_caches_no_v() -> None:
    # /api/show of a GLM-4.7-Flash GGUF: llama.cpp's deepseek2 keys name the latent's width directly.
    prefix = "deepseek2"
    info = {"general.architecture": prefix, f"{prefix}.block_count": 47, f"{prefix}.context_length": 202752,
            f"{prefix}.embedding_length": 2048, f"{prefix}.vocab_size": 154880, f"{prefix}.attention.head_count": 20,
            f"{prefix}.attention.head_count_kv": 1, f"{prefix}.attention.key_length": 576,
            f"{prefix}.attention.kv_lora_rank": 512, f"{prefix}.attention.key_length_mla": 256,
            f"{prefix}.expert_count": 64, f"{prefix}.expert_used_count": 4,
            f"{prefix}.expert_feed_forward_length": 1536, f"{prefix}.leading_dense_block_count": 1}
    arch = arch_from_model_info("my-glm", info, 29_940_000_000)
    assert arch is not None and arch.latent_kv and arch.kv_sides == 1 and arch.kv_dim == 576
    # An older deepseek2 GGUF without the _mla sizes: llama.cpp caches full K and V, and so does the estimate.
    older = {k: v for k, v in info.items() if not k.endswith("key_length_mla")}
    older.update({f"{prefix}.attention.head_count_kv": 16, f"{prefix}.attention.key_length": 192})
    arch = arch_from_model_info("old-deepseek", older, 15_700_000_000)
    assert arch is not None and not arch.latent_kv and arch.kv_sides == 2


def test_lists_that_api_show_leaves_out_are_not_guessed() -> None:
    # Without verbose, /api/show sends every list longer than five items as []: a Gemma 4 tag outside the
    # catalog arrives with no per-layer head counts (so no estimate) and no window pattern (Gemma 4's own).
    prefix = "gemma4"
    info = {"general.architecture": prefix, f"{prefix}.block_count": 60, f"{prefix}.context_length": 262144,
            f"{prefix}.embedding_length": 5376, f"{prefix}.vocab_size": 262144, f"{prefix}.attention.head_count": 32,
            f"{prefix}.attention.head_count_kv": [], f"{prefix}.attention.key_length": 512,
            f"{prefix}.attention.sliding_window": 1024, f"{prefix}.attention.sliding_window_pattern": []}
    assert arch_from_model_info("gemma4-tag", info, 30_700_000_000) is None
    arch = arch_from_model_info("gemma4-tag", {**info, f"{prefix}.attention.head_count_kv": 4}, 30_700_000_000)
    assert arch is not None and (arch.sliding_window, arch.sliding_layers) == (1024, 50)
