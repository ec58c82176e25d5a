"""What the llama.cpp-family engines themselves decide before they place a model: the free memory llama.cpp's
`--fit` keeps on each device, and the batch Ollama picks for the context. Reproduced from their source, for
the versions named here, so that "fits" means what the engine will do.

- llama.cpp `--fit` (on by default in llama-server; Ollama 0.33 lets llama-server place layers itself): the
  model, KV cache and compute buffer are measured with a dry-run allocation, and every layer stays on the
  GPU only when `fit_params_target` (1024 MiB per device by default) is left free; otherwise layers (for a
  MoE model, expert tensors first) move to system memory. common/fit.cpp at ggml-org/llama.cpp 6d0892b.
- Ollama 0.33 (server/sched.go, `automaticGenerationBatch`): unless `num_batch` is set, it passes
  `-b N -ub N` with N = 2048 above 32,768 tokens of context, 1024 above 4,096, else 512, stepping down when
  its own prediction (the file plus an f16 KV cache) leaves too little room; 512 (256 on a CUDA card of
  8 GiB or less past 4,096 tokens) when flash attention is off. The micro-batch sizes the compute buffer.
"""

from __future__ import annotations

from core.units import GIB, MIB

FIT_TARGET_GIB = 1024 * MIB / GIB
LLAMA_CPP_FIT = "https://github.com/ggml-org/llama.cpp/blob/6d0892ba065b38ee790b825fdc8fb8e2c453e6dd/common/fit.cpp"
OLLAMA_VERSION = "0.33"
OLLAMA_SCHED = "https://github.com/ollama/ollama/blob/fb30760996871fa9460115c753afd2c60d4ab0f7/server/sched.go"
OLLAMA_LLAMA_SERVER = "https://github.com/ollama/ollama/blob/fb30760996871fa9460115c753afd2c60d4ab0f7/llm/llama_server.go"

LLAMA_CPP_UBATCH = 512
"""llama-server's default physical batch (-ub)."""
_BATCHES = (2048, 1024)  # above llama-server's 512, each with the room Ollama wants for it
_HEADROOM_SHARE = {2048: 0.60, 1024: 0.75}
_SURCHARGE_BYTES = {2048: 2 * GIB, 1024: 768 * MIB}


def ollama_predicted_bytes(file_bytes: float, layers: int, kv_heads: int, head_dim: int, n_ctx: int) -> float:
    """Ollama's own prediction (llm/llama_server.go, PredictServerVRAM): the file plus an f16 KV cache for
    every layer, whatever the cache type or sliding windows, with the smallest KV head count and
    ``head_dim`` = embedding length / attention heads (not the model's own head size)."""
    return file_bytes + 2 * layers * kv_heads * head_dim * n_ctx * 2


def ollama_batch(n_ctx: int, predicted_bytes: float, available_bytes: float | None, flash_attention: bool = True,
                 cuda: bool = True, card_gib: float | None = None) -> int:
    """The -b/-ub Ollama passes to llama-server for a context of ``n_ctx`` cells (num_ctx × parallel).

    ``available_bytes`` None (no GPU chosen) takes the batch the context asks for, as on a card with room.
    """
    if not flash_attention and cuda:
        small_card = card_gib is not None and card_gib <= 8
        return 256 if n_ctx > 4096 and small_card else 512
    wanted = 2048 if n_ctx > 32768 else 1024 if n_ctx > 4096 else 512
    for batch in _BATCHES:
        if batch <= wanted and (available_bytes is None or _batch_fits(batch, predicted_bytes, available_bytes)):
            return batch
    return LLAMA_CPP_UBATCH


def _batch_fits(batch: int, predicted: float, available: float) -> bool:
    threshold = 0.8 * available
    return (predicted <= threshold and predicted <= _HEADROOM_SHARE[batch] * available
            and _SURCHARGE_BYTES[batch] <= threshold - predicted)
