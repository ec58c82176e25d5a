"""What one generated token reads: the active weights (a MoE's shared weights and chosen experts), the KV
cache up to its depth and a hybrid's recurrent state, and the experts --fit left in system RAM."""

from __future__ import annotations

from core.plan.estimate import MemoryEstimate, Scenario
from core.plan.memory import expert_bytes, recurrent_state_bytes, streamed_weight_bytes
from core.plan.models import ModelArch
from core.plan.quant import KV_CACHE_BYTES, find_quant


def active_weight_bytes(s: Scenario) -> float:
    """Weight bytes read per generated token.

    The token-embedding table is a lookup (one row per token), so it is not streamed; llama.cpp does
    not even keep it on the GPU. A MoE reads its shared weights and only the routed experts: with
    E experts of e parameters each, e = (P − P_active)/(E − E_active), and the experts' bytes are
    taken at the format's bits per weight, the rest of the file being the shared weights.
    """
    model, quant = s.model, find_quant(s.quant)
    streamed = streamed_weight_bytes(model, quant, s.engine)
    if not model.is_moe or model.active_params_b is None:
        return streamed
    if not model.experts or not model.experts_active:
        # A MoE typed in by its active parameter count alone: each token reads that share of the weights.
        return streamed * model.active_params_b / model.params_b
    experts = expert_bytes(model, quant, streamed)
    return streamed - experts + experts * model.experts_active / model.experts


def routed_expert_bytes(s: Scenario) -> float:
    """Per token, the bytes of the routed experts a MoE reads (its chosen experts in every MoE layer)."""
    model, quant = s.model, find_quant(s.quant)
    if not model.is_moe or not model.experts or not model.experts_active:
        return 0.0
    return expert_bytes(model, quant, streamed_weight_bytes(model, quant, s.engine)) * model.experts_active / model.experts


def cache_read_bytes(model: ModelArch, kv_type: str, context: int) -> float:
    """Per token, the KV cache each attention layer attends to, plus a hybrid's recurrent state, read and
    written back whole: a full-attention layer reads every cell up to ``context``, a sliding-window layer only
    the last ``window`` of them (llama.cpp masks the rest, and its flash-attention kernels skip masked blocks)."""
    full, windowed = attended_cells(model, context)
    per_element = model.kv_sides * KV_CACHE_BYTES[kv_type]
    return per_element * (full * model.kv_dim + windowed * model.swa_kv_dim) + 2 * recurrent_state_bytes(model, 1)


def attended_cells(model: ModelArch, context: int) -> tuple[int, int]:
    """Cells one token attends to, summed over the full-attention layers and over the sliding-window ones."""
    sliding = model.sliding_layers if model.sliding_window else 0
    return (model.attention_layers - sliding) * context, sliding * min(context, model.sliding_window or 0)


def offloaded_expert_bytes(s: Scenario, memory: MemoryEstimate) -> float:
    """Per token, the routed-expert bytes read from system RAM when --fit moved experts of some layers there."""
    if memory.expert_layers_on_gpu is None:
        return 0.0
    model, quant = s.model, find_quant(s.quant)
    streamed = streamed_weight_bytes(model, quant, s.engine)
    active_experts = expert_bytes(model, quant, streamed) * (model.experts_active or 0) / (model.experts or 1)
    return active_experts * (model.layers - memory.expert_layers_on_gpu) / model.layers


def attention_flops(model: ModelArch, context: int) -> float:
    """Per generated token, the attention's arithmetic over the cache: each query head takes a dot product with
    every cached key and sums the values (2 FLOPs per element each way), on the cells each layer attends to. A
    latent-attention head reads the whole latent for both. Windowed layers are counted at the full layers' head
    size: an upper bound, over at most a window of cells."""
    width = 2 * (model.kv_dim if model.latent_kv else model.head_dim)
    return 2.0 * model.heads * width * sum(attended_cells(model, context))
