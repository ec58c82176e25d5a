"""The memory estimator against llama.cpp's own logged buffers and hand-computed expectations."""

from __future__ import annotations

from dataclasses import replace

import pytest

from core.plan.catalog import GpuSpec
from core.plan.estimate import Scenario, estimate, usable_gib
from core.plan.fits import gpus_needed, max_context
from core.plan.models import ModelArch, find_model
from core.units import GIB, MIB

# Meta-Llama-3-8B as its config.json states it.
LLAMA3_8B = ModelArch(
    id="llama-3-8b", name="Llama 3 8B", params_b=8.03, layers=32, hidden=4096, heads=32, kv_heads=8,
    head_dim=128, vocab=128256, context_max=8192,
)


def gpu(vram_gib: float, segment: str = "consumer", vendor: str = "NVIDIA") -> GpuSpec:
    return GpuSpec(id=f"test-{vram_gib}", name=f"Test {vram_gib} GB", vendor=vendor, segment=segment,
                   vram_gib=vram_gib, bandwidth_gbps=1000, launch_year=2024, source_urls=("https://example.org",))


def mib(est, key: str) -> float:
    return est.components_gib[key] * GIB / MIB


@pytest.mark.parametrize(
    ("n_ctx", "kv_mib", "compute_mib"),
    [(8192, 1024.00, 560.00), (512, 64.00, 258.50)],
)
def test_reproduces_llama_cpp_logged_buffers(n_ctx: int, kv_mib: float, compute_mib: float) -> None:
    """llama.cpp logs for Llama-3-8B Q4_K_M, without flash attention: KV self size, CUDA0 compute buffer,
    model buffer 4403.49 MiB."""
    est = estimate(Scenario(model=LLAMA3_8B, quant="Q4_K_M", context=n_ctx, engine="llama.cpp", flash_attention=False))
    assert mib(est, "kv_cache") == pytest.approx(kv_mib, rel=0.01)
    assert mib(est, "compute_buffer") == pytest.approx(compute_mib, rel=0.01)
    assert mib(est, "weights") == pytest.approx(4403.49, rel=0.01)
    assert est.host_gib * 1024 == pytest.approx(281.81, rel=0.01)  # token_embd stays on the host


def test_layer_split_gives_each_gpu_its_own_compute_buffer() -> None:
    """Two GPUs in layer split, without flash attention: the log shows about 640 MiB of compute buffer on each."""
    single = Scenario(model=LLAMA3_8B, quant="Q4_K_M", context=8192, engine="llama.cpp", gpu=gpu(24),
                      flash_attention=False)
    one = estimate(single)
    two = estimate(replace(single, gpus=2))
    assert mib(two, "compute_buffer") / 2 == pytest.approx(640.0, rel=0.01)
    assert len(two.per_gpu_gib) == 2
    # Weights and KV are split, the buffers are not: each GPU holds less, the pair holds more.
    assert max(two.per_gpu_gib) < one.per_gpu_gib[0]
    assert sum(two.per_gpu_gib) > one.per_gpu_gib[0]


def test_kv_cache_uses_kv_heads_and_scales_with_parallel_and_type() -> None:
    base = Scenario(model=LLAMA3_8B, quant="Q4_K_M", context=4096, engine="ollama")
    f16 = estimate(base).components_gib["kv_cache"]
    assert f16 * GIB == 2 * 32 * 8 * 128 * 2 * 4096  # 8 KV heads, not 32 attention heads
    assert estimate(replace(base, parallel=4)).components_gib["kv_cache"] == pytest.approx(4 * f16)
    assert estimate(replace(base, kv_cache="q8_0")).components_gib["kv_cache"] == pytest.approx(f16 * 34 / 64)
    assert estimate(replace(base, kv_cache="q4_0")).components_gib["kv_cache"] == pytest.approx(f16 * 18 / 64)


def test_sliding_window_layers_cache_only_their_window() -> None:
    gemma_like = ModelArch(id="swa", name="SWA", params_b=12, layers=48, hidden=3840, heads=16, kv_heads=8,
                           head_dim=256, vocab=262144, context_max=131072, sliding_window=1024,
                           sliding_layers=40, tied_embeddings=True)
    est = estimate(Scenario(model=gemma_like, quant="Q4_K_M", context=32768, engine="llama.cpp"))
    per_cell_layer = 2 * 8 * 256 * 2
    swa_cells = 1536  # 1024 + n_ubatch 512, already a multiple of 256
    expected = per_cell_layer * (8 * 32768 + 40 * swa_cells)
    assert est.components_gib["kv_cache"] * GIB == expected


def test_offload_when_the_model_does_not_fit() -> None:
    big = replace(LLAMA3_8B, id="70b", name="70B", params_b=70.6, layers=80, hidden=8192, heads=64)
    est = estimate(Scenario(model=big, quant="Q4_K_M", context=8192, engine="ollama", gpu=gpu(24)))
    assert est.fits is False
    assert 0 < est.gpu_layers < 80
    assert max(est.per_gpu_gib) <= 24
    # What is not on the GPU is in system RAM: the whole model is accounted for.
    assert est.host_gib > 15


def test_moe_keeps_every_expert_in_memory() -> None:
    dense = replace(LLAMA3_8B, params_b=30.5)
    moe = replace(dense, active_params_b=3.3, experts=128, experts_active=8)
    a = estimate(Scenario(model=dense, quant="Q4_K_M", context=4096)).components_gib["weights"]
    b = estimate(Scenario(model=moe, quant="Q4_K_M", context=4096)).components_gib["weights"]
    assert a == b


def test_apple_unified_memory_counts_only_the_gpu_share() -> None:
    assert usable_gib(gpu(8, "apple", "Apple")) == pytest.approx(8 * 2 / 3)
    assert usable_gib(gpu(64, "apple", "Apple")) == pytest.approx(48)
    assert usable_gib(gpu(192, "apple", "Apple")) == pytest.approx(144)


def test_vllm_turns_the_rest_into_kv_blocks() -> None:
    est = estimate(Scenario(model=LLAMA3_8B, quant="BF16", context=8192, engine="vllm", kv_cache="f16",
                            gpu=gpu(80)))
    kv_per_token = 2 * 32 * 8 * 128 * 2
    pool = est.components_gib["kv_cache"] * GIB
    assert est.max_concurrent_tokens == int(pool // kv_per_token)
    assert est.per_gpu_gib[0] == pytest.approx(0.9 * 80)
    # 80 GB minus 16 GB of weights leaves room for hundreds of thousands of tokens.
    assert 300_000 < est.max_concurrent_tokens < 500_000


def test_tensor_parallel_splits_weights() -> None:
    one = estimate(Scenario(model=LLAMA3_8B, quant="BF16", context=4096, engine="transformers"))
    assert one.per_gpu_gib[0] == pytest.approx(one.total_gib)
    weights = one.components_gib["weights"]
    assert weights * GIB == pytest.approx(8.03e9 * 2)


def test_training_full_mixed_precision_is_18_bytes_per_param_before_activations() -> None:
    s = Scenario(model=LLAMA3_8B, context=512, mode="full", optimizer="adamw", precision="mixed")
    parts = estimate(s).components_gib
    per_param = (parts["weights"] + parts["gradients"] + parts["optimizer"]) * GIB / 8.03e9
    assert per_param == pytest.approx(6 + 4 + 8)
    eight_bit = estimate(replace(s, optimizer="adamw_8bit")).components_gib["optimizer"]
    assert eight_bit == pytest.approx(parts["optimizer"] / 4)


def test_training_qlora_is_far_smaller_than_lora_and_checkpointing_cuts_activations() -> None:
    s = Scenario(model=LLAMA3_8B, context=2048, batch=2, mode="lora")
    lora = estimate(s)
    qlora = estimate(replace(s, mode="qlora"))
    # NF4 linear layers, 16-bit embeddings and head: well under half of the bf16 base.
    assert qlora.components_gib["weights"] < lora.components_gib["weights"] / 2.5
    ckpt = estimate(replace(s, grad_checkpointing=True))
    assert ckpt.components_gib["activations"] < lora.components_gib["activations"] / 2


def test_gpus_needed_and_max_context() -> None:
    big = replace(LLAMA3_8B, id="70b", name="70B", params_b=70.6, layers=80, hidden=8192, heads=64,
                  context_max=131072)
    s = Scenario(model=big, quant="Q4_K_M", context=8192, engine="ollama", flash_attention=False)
    assert gpus_needed(s, gpu(24)) == 2
    assert gpus_needed(s, gpu(80)) == 1
    longest = max_context(replace(s, model=replace(LLAMA3_8B, context_max=131072)), gpu(24))
    assert 65536 < longest < 131072
    fits = estimate(replace(s, model=replace(LLAMA3_8B, context_max=131072), context=longest, gpu=gpu(24)))
    assert fits.fits


# llama-server logs (gemma-4-12B, n_swa = 1024; cells do not depend on the head sizes):
#   -c 16384, 1 slot:        "creating non-SWA KV cache, size = 16384 cells" / "SWA KV cache, size = 1536 cells"
#   -c 8192 -np 2:           "4096 cells ... 2/2 seqs" / "1536 cells ... 2/2 seqs"
#   -c 8192 -np 2 -ub 256:   SWA "1280 cells"
# and the padding in src/llama-context.cpp: n_ctx and each stream's n_ctx / n_seq go up to a multiple of 256.
@pytest.mark.parametrize(("context", "slots", "ubatch", "full", "swa"), [
    (16384, 1, 512, 16384, 1536),
    (4096, 2, 512, 2 * 4096, 2 * 1536),
    (4096, 2, 256, 2 * 4096, 2 * 1280),
    (100, 4, 512, 4 * 256, 4 * 256),  # 400 cells asked for, 1,024 allocated
    (1000, 1, 512, 1024, 1024),
])
def test_llama_cpp_cells_follow_its_padding_and_sliding_window_rule(context: int, slots: int, ubatch: int, full: int,
                                                                     swa: int) -> None:
    from dataclasses import replace

    from core.plan.memory import kv_cells

    gemma = replace(find_model("gemma-3-12b"), sliding_window=1024)
    assert kv_cells(gemma, context, slots, "llama.cpp", ubatch) == (full, swa)
    assert kv_cells(gemma, context, slots, "ollama", ubatch) == (full, swa)


def test_the_micro_batch_is_an_input_of_the_estimate() -> None:
    model = find_model("gemma-3-12b")
    small = estimate(Scenario(model=model, context=8192, engine="llama.cpp", ubatch=256))
    default = estimate(Scenario(model=model, context=8192, engine="llama.cpp"))
    assert small.components_gib["kv_cache"] < default.components_gib["kv_cache"]
    assert small.components_gib["compute_buffer"] < default.components_gib["compute_buffer"]


def test_flash_attention_keeps_the_compute_buffer_at_the_logits() -> None:
    """With flash attention the score matrix is never built: the buffer stays at 4·ub·(d + n_vocab), the
    258.50 MiB llama.cpp logs for Llama-3 at ub 512, however long the context."""
    model = replace(LLAMA3_8B, context_max=131072)
    for n_ctx in (8192, 131072):
        est = estimate(Scenario(model=model, quant="Q4_K_M", context=n_ctx, engine="llama.cpp"))
        assert mib(est, "compute_buffer") == pytest.approx(258.50, rel=0.01)


def test_a_fit_leaves_llama_cpps_free_memory_target() -> None:
    """llama.cpp's --fit moves layers off the GPU unless 1024 MiB stay free (common/fit.cpp), so a model
    that would fill the card to the last few hundred MiB is partly offloaded, not a fit."""
    s = Scenario(model=LLAMA3_8B, quant="Q4_K_M", context=8192, engine="llama.cpp", gpu=gpu(24))
    roomy = estimate(s)
    assert roomy.fits and roomy.margin_gib == 1.0
    assert roomy.headroom_gib == pytest.approx(24 - 1.0 - max(roomy.per_gpu_gib))
    total = max(roomy.per_gpu_gib)
    snug = estimate(replace(s, gpu=gpu(total + 0.5)))  # room for everything, not for the margin
    assert not snug.fits and snug.gpu_layers < snug.total_layers
    assert estimate(replace(s, gpu=gpu(total + 1.1))).fits


@pytest.mark.parametrize(("context", "card_gib", "batch"), [
    (4096, 24, 512), (8192, 24, 1024), (65536, 80, 2048),
    (65536, 24, 2048),
    (98304, 24, 1024),  # 2048 needs the prediction under 60% of the card; 1024 under 75%
    (131072, 24, 512),  # the f16 KV alone fills most of the card: no room for a larger batch
])
def test_ollama_picks_its_batch_from_the_context_and_the_card(context: int, card_gib: float, batch: int) -> None:
    """Ollama 0.33's automaticGenerationBatch (server/sched.go), which sizes llama-server's compute graph."""
    model = replace(LLAMA3_8B, context_max=131072)
    est = estimate(Scenario(model=model, quant="Q4_K_M", context=context, engine="ollama", gpu=gpu(card_gib)))
    assert est.ubatch == batch
    assert mib(est, "compute_buffer") == pytest.approx(4 * batch * (4096 + 128256) / MIB, rel=0.01)


def test_a_moe_that_does_not_fit_sends_experts_to_ram_first() -> None:
    """llama.cpp's --fit (and Ollama 0.33 through it) keeps attention and KV of every layer on the GPU and
    moves routed experts to system RAM before whole layers: the GPU stays full, but under the margin."""
    from core.plan.speed import estimate_speed

    s = Scenario(model=find_model("gpt-oss-20b"), quant="MXFP4", context=8192, engine="ollama", gpu=gpu(12))
    est = estimate(s)
    assert not est.fits and "expert_offload" in est.notes
    assert est.gpu_layers == est.total_layers and 0 < est.expert_layers_on_gpu < est.total_layers
    assert max(est.per_gpu_gib) + est.margin_gib <= 12
    assert est.host_gib > 1
    roomy, tight = estimate_speed(replace(s, gpu=gpu(24))), estimate_speed(s)
    assert tight.bottleneck == "cpu_offload"
    assert tight.decode_tokens_per_s < roomy.decode_tokens_per_s
    # Forced whole layers (no --fit) would be slower still: dense layers too would run from RAM.
    forced = estimate_speed(replace(s, auto_fit=False))
    assert forced.decode_tokens_per_s < tight.decode_tokens_per_s


def test_a_hybrid_caches_only_its_attention_layers_and_holds_a_fixed_state_per_sequence() -> None:
    # Qwen3.6-35B-A3B: 10 of 40 layers attend (2 KV heads of 256); 30 Gated DeltaNet layers hold a fixed
    # f32 state of 2,195,456 bytes per sequence (llama.cpp's n_embd_r + n_embd_s).
    model = find_model("qwen3.6-35b-a3b")
    one = Scenario(model=model, quant="Q4_K_XL", context=32768, engine="llama.cpp")
    kv = 2 * 2 * 256 * 2 * 10 * 32768 + 30 * 2_195_456
    assert mib(estimate(one), "kv_cache") == pytest.approx(kv / MIB, rel=1e-6)
    # Twice the context doubles only the attention part; a second slot adds a second state.
    two = estimate(replace(one, context=65536, parallel=2))
    assert mib(two, "kv_cache") == pytest.approx((4 * (kv - 30 * 2_195_456) + 2 * 30 * 2_195_456) / MIB, rel=1e-6)


def test_a_dynamic_gguf_is_sized_from_its_published_file_or_refused() -> None:
    from core.errors import InputError
    from core.plan.estimate import quants_for

    listed = estimate(Scenario(model=find_model("qwen3.6-35b-a3b"), quant="UD-Q4_K_XL", engine="llama.cpp"))
    assert next(t for t in listed.terms if t.key == "weights").formula.startswith("W = published file size")
    assert "Q4_K_XL" in quants_for("llama.cpp", find_model("qwen3.6-35b-a3b"))
    assert "Q4_K_XL" not in quants_for("llama.cpp", find_model("qwen3-8b"))
    with pytest.raises(InputError, match="no published Q4_K_XL file size"):
        estimate(Scenario(model=find_model("qwen3-8b"), quant="Q4_K_XL", engine="llama.cpp"))


def test_a_mamba_hybrid_caches_only_its_attention_layers() -> None:
    # Nemotron 3 Nano: 6 attention layers keep KV (2 heads of 128); 23 Mamba-2 layers a 2,170,880-byte f32
    # state per sequence; its 23 MoE layers hold neither.
    model = find_model("nemotron-3-nano-30b-a3b")
    kv = estimate(Scenario(model=model, quant="Q8_K_XL", context=32768, engine="llama.cpp"))
    assert mib(kv, "kv_cache") == pytest.approx((2 * 2 * 128 * 2 * 6 * 32768 + 23 * 2_170_880) / MIB, rel=1e-6)


@pytest.mark.parametrize(
    ("context", "parallel", "kv_type", "kv_mib", "state_mib"),
    [
        # llama-server logs of Qwen3.6-27B (github.com/chungers/motlie, evals/results: Q4_K_M on a DGX Spark):
        # "llama_kv_cache: size = 2048.00 MiB (32768 cells, 16 layers, 1/1 seqs)" and
        # "llama_memory_recurrent: size = 149.62 MiB (1 cells, 64 layers, 1 seqs), R (f32): 5.62 MiB, S (f32): 144.00 MiB"
        (32768, 1, "f16", 2048.00, 149.62),
        # and at -c 131072 with 4 slots, q8_0: "4352.00 MiB (131072 cells, 16 layers, 4/1 seqs)", "598.50 MiB (4 cells ...)"
        (32768, 4, "q8_0", 4352.00, 598.50),
    ],
)
def test_hybrid_kv_and_recurrent_state_match_llama_cpp_logs(context: int, parallel: int, kv_type: str,
                                                             kv_mib: float, state_mib: float) -> None:
    model = find_model("qwen3.6-27b")
    est = estimate(Scenario(model=model, quant="Q4_K_M", context=context, parallel=parallel, kv_cache=kv_type,
                            engine="llama.cpp"))
    assert mib(est, "kv_cache") == pytest.approx(kv_mib + state_mib, abs=0.01)
    if parallel == 1:
        assert mib(est, "compute_buffer") == pytest.approx(495.00, abs=0.01)  # "CUDA0 compute buffer size = 495.00 MiB"


def test_gemma_4_windowed_layers_cache_their_own_wider_heads() -> None:
    # llama.cpp sizes each layer by its own n_embd_k_gqa: 10 global layers of 4 × 512 over all 32,768 cells,
    # 50 windowed layers of 16 × 256 over pad(1024 + 512) = 1,536 cells; K and V in f16.
    model = find_model("gemma-4-31b")
    est = estimate(Scenario(model=model, quant="Q4_K_M", context=32768, engine="llama.cpp"))
    assert mib(est, "kv_cache") == pytest.approx(2 * 2 * (10 * 32768 * 2048 + 50 * 1536 * 4096) / MIB)
    assert mib(est, "kv_cache") == pytest.approx(2560 + 1200)


def test_llama_servers_shared_cache_keeps_one_pool_of_windows() -> None:
    # llama-server without -np: "n_parallel is set to auto, using n_parallel = 4 and kv_unified = true"
    # (tools/server/server.cpp). One stream of pad(n_ctx) cells; the windowed layers of the shared cache hold
    # pad(min(n_ctx, n_swa · n_seq + n_ubatch)) = pad(1024 · 4 + 512) = 4,608 cells, not 4 × 1,536.
    from core.plan.memory import kv_cells

    gemma = find_model("gemma-4-31b")
    assert kv_cells(gemma, 8192, 4, "llama.cpp", 512, unified=True) == (32768, 4608)
    assert kv_cells(gemma, 8192, 4, "llama.cpp", 512) == (32768, 4 * 1536)
    shared = estimate(Scenario(model=gemma, quant="Q4_K_M", context=8192, parallel=4, engine="llama.cpp",
                               kv_unified=True))
    assert mib(shared, "kv_cache") == pytest.approx(2 * 2 * (10 * 32768 * 2048 + 50 * 4608 * 4096) / MIB)
    with pytest.raises(ValueError, match="llama-server"):
        estimate(Scenario(model=gemma, quant="Q4_K_M", engine="ollama", kv_unified=True))


def test_a_latent_attention_model_caches_one_latent_and_no_v() -> None:
    # GLM-4.7-Flash as llama.cpp loads it (print_info in ollama/ollama#15855): 47 layers, n_head_kv 1,
    # n_embd_head_k 576; since ggml-org/llama.cpp#19067 the cache keeps K only. At 32k in f16: 1,692 MiB.
    model = find_model("glm-4.7-flash")
    est = estimate(Scenario(model=model, quant="Q8_K_XL", context=32768, engine="llama.cpp"))
    assert mib(est, "kv_cache") == pytest.approx(47 * 576 * 2 * 32768 / MIB) == pytest.approx(1692.0)
    dense_kv = estimate(Scenario(model=find_model("qwen3-30b-a3b"), quant="Q4_K_M", context=32768, engine="llama.cpp"))
    assert mib(est, "kv_cache") < mib(dense_kv, "kv_cache") / 1.7  # 576 values per layer against 2 × 4 × 128


@pytest.mark.parametrize(("context", "low_gb", "high_gb"), [(8192, 7.9, 8.0), (49152, 20.0, 21.0)])
def test_what_ollama_holds_for_a_qwen3_8b_with_four_q8_0_slots(context: int, low_gb: float, high_gb: float) -> None:
    # leoric-crown/n8n_pgvector16: Ollama 0.12.3 on an RTX 4090 with OLLAMA_NUM_PARALLEL=4, a q8_0 cache and flash
    # attention (its tune_env_nvidia.sh); `ollama ps` showed deepseek-r1:8b (Qwen3-8B) at 7.9 GB for num_ctx 8192
    # and "20 GB" (20.0-20.9, whole GB shown) at 49152. The estimate without the CUDA reserve, which `ollama ps`
    # leaves out, lands within 5%.
    est = estimate(Scenario(model=find_model("qwen3-8b"), quant="Q4_K_M", context=context, parallel=4,
                            kv_cache="q8_0", engine="ollama", auto_fit=False))
    held_gb = sum(t.bytes for t in est.terms if t.key != "runtime") / 1e9
    assert low_gb * 0.95 <= held_gb <= high_gb * 1.05
