"""Memory terms for inference, each one a named function with its formula and its source.

Every function returns a ``Term``: the bytes, the formula in symbols, the same formula with the
numbers put in, and the URL it rests on, so that the page can show how a figure was reached.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from core.plan.models import ModelArch
from core.plan.quant import KV_CACHE_BYTES, Quant
from core.units import GIB, MIB

OLLAMA_MEMORY_GO = "https://github.com/ollama/ollama/blob/3258a89/llm/memory.go"
OLLAMA_GRAPH_SIZE = "https://github.com/ollama/ollama/blob/3258a89/fs/ggml/ggml.go"
LLAMA_CPP_KV_CACHE = "https://github.com/ggml-org/llama.cpp/blob/master/src/llama-kv-cache.cpp"
LLAMA_CPP_SCHED = "https://github.com/ggml-org/llama.cpp/blob/master/ggml/src/ggml-backend.cpp"
HF_MEMORY_ANATOMY = "https://huggingface.co/docs/transformers/model_memory_anatomy"
VLLM_MEMORY_DOC = "https://docs.vllm.ai/en/latest/configuration/conserving_memory.html"
ACTIVATION_PAPER = "https://arxiv.org/abs/2205.05198"

LLAMA_CPP_UBATCH = 512
"""llama.cpp's default physical batch (n_ubatch); the compute graph is sized for it."""
LLAMA_CPP_CONTEXT = "https://github.com/ggml-org/llama.cpp/blob/master/src/llama-context.cpp"
LLAMA_CPP_KV_ISWA = "https://github.com/ggml-org/llama.cpp/blob/master/src/llama-kv-cache-iswa.cpp"
KV_PAD_CELLS = 256
"""llama_context pads n_ctx, and each stream's share of it, to a multiple of 256 cells; the sliding-window
cache is padded the same way (llama-kv-cache-iswa.cpp)."""
SWA_PAD_CELLS = KV_PAD_CELLS
VLLM_MAX_BATCHED_TOKENS = 8192
"""vLLM profiles its activation peak with one step of this many tokens (chunked prefill budget)."""


@dataclass(frozen=True)
class Term:
    """One component of a memory estimate."""

    key: str
    bytes: float
    formula: str
    substituted: str
    source_url: str

    @property
    def gib(self) -> float:
        return self.bytes / GIB

    def scaled(self, factor: float, note: str) -> Term:
        return Term(self.key, self.bytes * factor, self.formula, f"{self.substituted} {note}", self.source_url)


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.4g}"


def ffn_hidden(model: ModelArch) -> int:
    """Feed-forward width, derived from the parameter count (gate, up and down per layer and expert).

    params ≈ embeddings + L·(attention + 3·h·ffn·E); solved for ffn. Good to a few percent on the
    published configs, which is all the LoRA adapter and activation terms need.
    """
    embeddings = model.embedding_params * (1 if model.tied_embeddings else 2)
    attention = model.hidden * model.head_dim * (2 * model.heads + 2 * model.kv_heads)
    experts = model.experts or 1
    remaining = model.params_b * 1e9 - embeddings - model.layers * attention
    return max(model.hidden, int(remaining / (3 * model.layers * model.hidden * experts)))


# --- weights -----------------------------------------------------------------------------------


def weight_bytes(model: ModelArch, quant: Quant, engine: str = "llama.cpp") -> Term:
    """All weights as the engine loads them: the published file size when there is one (Ollama's own blob
    for Ollama where it publishes one), else params × bits / 8."""
    published = model.published_size(quant.name, engine)
    if published is not None:
        size, url = published
        return Term("weights", float(size), "W = published file size", f"W = {_fmt(size)} B", url)
    params = model.params_b * 1e9
    if quant.linear_only:
        # Embedding table and output head stay at 16 bits; only the linear layers are quantized.
        edge = model.embedding_params * (1 if model.tied_embeddings else 2)
        total = (params - edge) * quant.bits_per_weight / 8 + edge * 2
        return Term(
            "weights", total,
            "W = (P − P_emb)·bpw/8 + P_emb·2",
            f"W = ({_fmt(params)} − {_fmt(edge)})·{quant.bits_per_weight:.4g}/8 + {_fmt(edge)}·2",
            quant.source_url,
        )
    total = params * quant.bits_per_weight / 8
    return Term(
        "weights", total, "W = P·bpw/8",
        f"W = {_fmt(params)}·{quant.bits_per_weight:.4g}/8", quant.source_url,
    )


def host_embedding_bytes(model: ModelArch, quant: Quant) -> float:
    """llama.cpp keeps token_embd in host memory: the lookup is a gather, not a matmul."""
    return model.embedding_params * quant.embedding_bits / 8


def output_head_bytes(model: ModelArch, quant: Quant) -> float:
    """The output projection lives on the last GPU (for tied models it is a copy of token_embd)."""
    return model.embedding_params * quant.embedding_bits / 8


# --- KV cache ----------------------------------------------------------------------------------


def _pad(cells: int) -> int:
    return math.ceil(cells / KV_PAD_CELLS) * KV_PAD_CELLS


def kv_cells(model: ModelArch, context: int, sequences: int, engine: str,
             ubatch: int = LLAMA_CPP_UBATCH, unified: bool = False) -> tuple[int, int]:
    """Cells held by full-attention layers and by sliding-window layers, over all sequences.

    ``context`` is per sequence (Ollama's num_ctx; llama.cpp's -c is the total, context × sequences).
    llama.cpp (src/llama-context.cpp) pads n_ctx to 256, gives each of the n_seq streams
    n_ctx_seq = pad(n_ctx / n_seq, 256) cells, and sizes a sliding-window stream at
    pad(min(n_ctx_seq, n_swa + n_ubatch), 256) (src/llama-kv-cache-iswa.cpp), so small contexts and several
    slots come out larger than context × slots. Ollama runs its models through the same code with one stream
    per parallel request. With llama-server's shared cache (``unified``) all sequences are one stream of
    pad(n_ctx) cells, and its sliding-window layers hold pad(min(n_ctx, n_swa · n_seq + n_ubatch)).
    The PyTorch engines keep exactly the window per sequence.
    """
    if engine == "llama.cpp" and unified:
        n_ctx = _pad(context * sequences)
        if not model.sliding_window or not model.sliding_layers:
            return n_ctx, 0
        return n_ctx, _pad(min(n_ctx, model.sliding_window * sequences + ubatch))
    if engine in ("ollama", "llama.cpp"):
        n_ctx = _pad(context * sequences)
        per_stream = _pad(n_ctx // sequences) if sequences > 1 else n_ctx
        full = per_stream * sequences
        if not model.sliding_window or not model.sliding_layers:
            return full, 0
        return full, _pad(min(per_stream, model.sliding_window + ubatch)) * sequences
    full = context * sequences
    if not model.sliding_window or not model.sliding_layers:
        return full, 0
    return full, min(full, model.sliding_window * sequences)


def kv_bytes_per_token(model: ModelArch, kv_type: str) -> float:
    """K and V for one token in every attention layer (a hybrid's recurrent layers keep none)."""
    full_layers = model.attention_layers - model.sliding_layers
    return model.kv_sides * KV_CACHE_BYTES[kv_type] * (full_layers * model.kv_dim + model.sliding_layers * model.swa_kv_dim)


def recurrent_state_bytes(model: ModelArch, sequences: int) -> float:
    """A hybrid's recurrent layers hold one fixed-size f32 state per sequence, whatever the context
    (llama.cpp's llama_memory_recurrent: one cell per sequence, src/llama-memory-recurrent.cpp)."""
    return float(model.recurrent_layers * model.recurrent_state_bytes * sequences)


def kv_cache_bytes(model: ModelArch, context: int, sequences: int, kv_type: str, engine: str,
                   ubatch: int = LLAMA_CPP_UBATCH, unified: bool = False) -> Term:
    """KV = 2·L·n_kv·d_head·b·n_ctx·n_seq (grouped-query attention: only the KV heads are cached)."""
    b = KV_CACHE_BYTES[kv_type]
    full_cells, swa_cells = kv_cells(model, context, sequences, engine, ubatch, unified)
    full_layers = model.attention_layers - model.sliding_layers
    total = model.kv_sides * b * (full_layers * full_cells * model.kv_dim + model.sliding_layers * swa_cells * model.swa_kv_dim)
    if model.latent_kv:
        formula = "KV = L·d_latent·b·cells (latent attention: one latent per token, no V)"
        substituted = f"KV = {full_layers}·{model.kv_dim}·{b:.4g}·{full_cells}"
    elif model.sliding_layers and model.sliding_window and model.swa_kv_dim != model.kv_dim:
        formula = "KV = 2·b·(L_full·n_kv·d_head·cells + L_swa·d_kv_swa·cells_swa)"
        substituted = (
            f"KV = 2·{b:.4g}·({full_layers}·{model.kv_heads}·{model.head_dim}·{full_cells}"
            f" + {model.sliding_layers}·{model.swa_kv_dim}·{swa_cells})"
        )
    elif model.sliding_layers and model.sliding_window:
        formula = "KV = 2·n_kv·d_head·b·(L_full·cells + L_swa·cells_swa)"
        substituted = (
            f"KV = 2·{model.kv_heads}·{model.head_dim}·{b:.4g}·({full_layers}·{full_cells}"
            f" + {model.sliding_layers}·{swa_cells})"
        )
    else:
        formula = "KV = 2·L·n_kv·d_head·b·cells"
        substituted = f"KV = 2·{full_layers}·{model.kv_heads}·{model.head_dim}·{b:.4g}·{full_cells}"
    if model.recurrent_layers:
        total += recurrent_state_bytes(model, sequences)
        formula += " + L_rec·S·n_seq"
        substituted += f" + {model.recurrent_layers}·{model.recurrent_state_bytes:,}·{sequences}"
    if engine == "llama.cpp" and unified:
        formula += ", cells = pad256(n_ctx), cells_swa = pad256(min(n_ctx, n_swa·n_seq + n_ubatch)) (shared cache)"
    elif engine in ("ollama", "llama.cpp"):
        formula += ", cells = pad256(n_ctx/n_seq)·n_seq"
    return Term("kv_cache", float(total), formula, substituted, LLAMA_CPP_CONTEXT)


# --- compute buffers and runtime ---------------------------------------------------------------


def streamed_weight_bytes(model: ModelArch, quant: Quant, engine: str) -> float:
    """The weights on the GPU and read per token: the file less an untied token-embedding table, a lookup
    that llama.cpp keeps on the host (a tied one is also the output head, so it stays)."""
    total = weight_bytes(model, quant, engine).bytes
    return total if model.tied_embeddings else total - host_embedding_bytes(model, quant)


def expert_bytes(model: ModelArch, quant: Quant, streamed_bytes: float) -> float:
    """Bytes of a MoE's routed experts in the file (0 for a dense model, or one typed in without its experts).

    With E experts of e parameters each, e = (P − P_active)/(E − E_active); the experts are taken at the
    format's bits per weight, the rest of the file being the shared weights.
    """
    if not model.is_moe or model.active_params_b is None or not model.experts or not model.experts_active:
        return 0.0
    per_expert = (model.params_b - model.active_params_b) * 1e9 / (model.experts - model.experts_active)
    return min(streamed_bytes, model.experts * per_expert * average_bits(model, quant, streamed_bytes) / 8)


def average_bits(model: ModelArch, quant: Quant, streamed_bytes: float) -> float:
    """Bits per streamed weight: the format's, or for a dynamic file (which raises the precision of chosen
    tensors differently in each model) the file's own average."""
    if not quant.file_size_only:
        return quant.bits_per_weight
    # The streamed bytes leave out an untied token-embedding table (a host-side lookup); so do its weights.
    streamed_params = model.params_b * 1e9 - (0 if model.tied_embeddings else model.embedding_params)
    return streamed_bytes * 8 / streamed_params


def llama_cpp_compute_buffer(model: ModelArch, context: int, sequences: int, pipeline: bool = False,
                             ubatch: int = LLAMA_CPP_UBATCH, flash_attention: bool = True) -> Term:
    """The ggml graph for one micro-batch: the attention scores or the logits, whichever is larger.

    Without flash attention the graph holds one layer's scores, n_ctx × n_head per token of the
    micro-batch (Ollama's GraphSize for the llama family; it reproduces llama.cpp's logged "compute buffer
    size": 560.00 MiB for Llama-3-8B at n_ctx 8192). With flash attention (the default of llama-server and
    of Ollama 0.33) the fused kernel never builds the scores, and the logits 4·ub·(d + n_vocab) are the
    peak (258.50 MiB for Llama-3 at ub 512, as logged). With several GPUs and every layer offloaded,
    llama.cpp turns on pipeline parallelism and keeps GGML_SCHED_MAX_COPIES = 4 copies of each graph input
    (the KQ mask, the hidden-state input) on every GPU: 560 MiB becomes 640 MiB per GPU for Llama-3-8B at
    n_ctx 8192, as logged.
    """
    n_ctx = context * sequences
    ub = min(n_ctx, ubatch)
    d, heads, vocab = model.hidden, model.heads, model.vocab
    logits = 4 * ub * (d + vocab)
    url = OLLAMA_GRAPH_SIZE
    if flash_attention and pipeline:
        attention = 4 * ub * (2 * n_ctx + 8 * d)
        formula = "C = max(4·ub·(2·n_ctx + 8·d), 4·ub·(d + n_vocab)) per GPU (flash attention, pipeline)"
        substituted = f"C = max(4·{ub}·(2·{n_ctx} + 8·{d}), 4·{ub}·({d} + {vocab}))"
        url = LLAMA_CPP_SCHED
    elif flash_attention:
        attention = 4 * ub * (1 + 4 * d)
        formula = "C = max(4·ub·(1 + 4·d), 4·ub·(d + n_vocab)) (flash attention: no score matrix)"
        substituted = f"C = max(4·{ub}·(1 + 4·{d}), 4·{ub}·({d} + {vocab}))"
    elif pipeline:
        attention = 4 * ub * (n_ctx * heads + 4 * n_ctx + 8 * d)
        formula = "C = max(4·ub·(n_ctx·n_head + 4·n_ctx + 8·d), 4·ub·(d + n_vocab)) per GPU (pipeline)"
        substituted = f"C = max(4·{ub}·({n_ctx}·{heads} + 4·{n_ctx} + 8·{d}), 4·{ub}·({d} + {vocab}))"
        url = LLAMA_CPP_SCHED
    else:
        attention = 4 * ub * (1 + 4 * d + n_ctx * (1 + heads))
        formula = f"C = max(4·ub·(1 + 4·d + n_ctx·(1 + n_head)), 4·ub·(d + n_vocab)), ub = min(n_ctx, {ubatch})"
        substituted = f"C = max(4·{ub}·(1 + 4·{d} + {n_ctx}·(1 + {heads})), 4·{ub}·({d} + {vocab}))"
    return Term("compute_buffer", float(max(attention, logits)), formula, substituted, url)


def torch_activation_bytes(model: ModelArch, tokens: int) -> Term:
    """Peak activations of one forward step over ``tokens`` tokens in 16-bit.

    Per token: the residual stream and attention projections (4·d) plus the gated MLP's two
    intermediate tensors (2·ffn), at 2 bytes, and fp32 logits for one token per sequence.
    """
    ffn = ffn_hidden(model)
    total = tokens * (4 * model.hidden + 2 * ffn) * 2 + model.vocab * 4
    return Term(
        "activations", float(total),
        "A = T·(4·d + 2·d_ffn)·2 + n_vocab·4",
        f"A = {tokens}·(4·{model.hidden} + 2·{ffn})·2 + {model.vocab}·4",
        ACTIVATION_PAPER,
    )


RUNTIME_RESERVE_BYTES: dict[str, float] = {
    # Ollama budgets this much per CUDA GPU for the context and cuBLAS workspaces before any layer.
    "ollama": 457 * MIB,
    "llama.cpp": 457 * MIB,
    # PyTorch's CUDA context and kernels, measured by the transformers docs.
    "transformers": 1.3 * 1e9,
    "vllm": 1.3 * 1e9,
}
RUNTIME_RESERVE_METAL_BYTES = 512 * MIB


def runtime_reserve(engine: str, metal: bool) -> Term:
    """Memory the engine holds before any model tensor: driver context, kernels, workspaces."""
    if engine in ("ollama", "llama.cpp") and metal:
        return Term("runtime", float(RUNTIME_RESERVE_METAL_BYTES), "R = 512 MiB (Metal)", "R = 512 MiB", OLLAMA_MEMORY_GO)
    size = RUNTIME_RESERVE_BYTES[engine]
    url = OLLAMA_MEMORY_GO if engine in ("ollama", "llama.cpp") else HF_MEMORY_ANATOMY
    label = "457 MiB (CUDA)" if engine in ("ollama", "llama.cpp") else "1.3 GB (PyTorch CUDA context)"
    return Term("runtime", float(size), f"R = {label}", f"R = {size / MIB:,.0f} MiB", url)
