"""Weight formats and their bits per weight.

GGUF figures are whole-file averages measured by llama.cpp on Llama-3.1-8B (the k-quant mixes keep
some tensors at higher precision, so Q4_K_M is 4.89 bits, not 4.5). Block formats without a
published average use their block layout (Q4_0: 16 bytes of nibbles + a 2-byte scale per 32
weights = 4.5 bits). Formats from the PyTorch world quantize only the linear layers: the embedding
table and the output head stay at 16 bits, which matters for small models with large vocabularies.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from core.errors import InputError

LLAMA_CPP_QUANTIZE_README = "https://github.com/ggml-org/llama.cpp/blob/master/tools/quantize/README.md"
GGML_BLOCK_LAYOUT = "https://github.com/ggml-org/ggml/blob/master/src/ggml-common.h"
NYXKRAGE_TABLE = "https://github.com/pandora-s-git/LLMVRAMCalculator"
QLORA_PAPER = "https://arxiv.org/abs/2305.14314"
GPTQ_AWQ_GROUPING = "https://huggingface.co/docs/transformers/main/en/quantization/overview"
MXFP4_SPEC = "https://www.opencompute.org/documents/ocp-microscaling-formats-mx-v1-0-spec-final-pdf"
UNSLOTH_DYNAMIC = "https://docs.unsloth.ai/basics/unsloth-dynamic-2.0-ggufs"


@dataclass(frozen=True)
class Quant:
    """A weight format.

    ``bits_per_weight`` is the average over the whole model file. ``embedding_bits`` is the
    precision of the token-embedding table, which llama.cpp keeps in host memory.
    ``linear_only`` formats leave embeddings and the output head at 16 bits.
    """

    name: str
    bits_per_weight: float
    embedding_bits: float
    engine_family: str  # "gguf" or "torch"
    source_url: str
    linear_only: bool = False
    file_size_only: bool = False
    """A per-model mix (Unsloth's dynamic files): usable only where the model's file size is published, and
    ``bits_per_weight`` is the base block format's, used only for what the file size cannot say."""


_QUANT_LIST = (
    Quant("Q2_K", 3.1593, 2.625, "gguf", LLAMA_CPP_QUANTIZE_README),
    Quant("Q3_K_M", 3.91, 3.4375, "gguf", NYXKRAGE_TABLE),
    Quant("Q4_0", 4.5, 4.5, "gguf", GGML_BLOCK_LAYOUT),
    Quant("Q4_K_S", 4.6672, 4.5, "gguf", LLAMA_CPP_QUANTIZE_README),
    Quant("Q4_K_M", 4.8944, 4.5, "gguf", LLAMA_CPP_QUANTIZE_README),
    Quant("Q5_K_M", 5.7036, 5.5, "gguf", LLAMA_CPP_QUANTIZE_README),
    Quant("Q6_K", 6.5633, 6.5625, "gguf", LLAMA_CPP_QUANTIZE_README),
    Quant("Q8_0", 8.5008, 8.5, "gguf", LLAMA_CPP_QUANTIZE_README),
    Quant("F16", 16.0005, 16.0, "gguf", LLAMA_CPP_QUANTIZE_README),
    Quant("BF16", 16.0, 16.0, "torch", GPTQ_AWQ_GROUPING),
    Quant("F32", 32.0, 32.0, "torch", GPTQ_AWQ_GROUPING),
    Quant("FP8", 8.0, 16.0, "torch", GPTQ_AWQ_GROUPING, linear_only=True),
    Quant("INT8", 8.0, 16.0, "torch", GPTQ_AWQ_GROUPING, linear_only=True),
    # 4-bit weights plus a 16-bit scale and a 4-bit zero point per group of 128.
    Quant("AWQ", 4.0 + 20 / 128, 16.0, "torch", GPTQ_AWQ_GROUPING, linear_only=True),
    Quant("GPTQ", 4.0 + 20 / 128, 16.0, "torch", GPTQ_AWQ_GROUPING, linear_only=True),
    # NF4 with double quantization: 4 bits + 0.127 bits of quantization constants (QLoRA paper).
    Quant("NF4", 4.127, 16.0, "torch", QLORA_PAPER, linear_only=True),
    # 32 four-bit values share one 8-bit power-of-two scale.
    Quant("MXFP4", 4.25, 16.0, "gguf", MXFP4_SPEC, linear_only=True),
    # Unsloth's dynamic files keep chosen tensors at higher precision, differently for each model; the base
    # formats' block layouts (Q3_K 3.4375, Q4_K 4.5, Q5_K 5.5, Q6_K 6.5625, Q8_0 8.5 bits) stand in where a
    # weight count is needed, the published file size for everything else.
    Quant("Q3_K_XL", 3.4375, 3.4375, "gguf", UNSLOTH_DYNAMIC, file_size_only=True),
    Quant("Q4_K_XL", 4.5, 4.5, "gguf", UNSLOTH_DYNAMIC, file_size_only=True),
    Quant("Q5_K_XL", 5.5, 5.5, "gguf", UNSLOTH_DYNAMIC, file_size_only=True),
    Quant("Q6_K_XL", 6.5625, 6.5625, "gguf", UNSLOTH_DYNAMIC, file_size_only=True),
    Quant("Q8_K_XL", 8.5, 8.5, "gguf", UNSLOTH_DYNAMIC, file_size_only=True),
)

QUANTS: dict[str, Quant] = {quant.name: quant for quant in _QUANT_LIST}
KV_CACHE_BYTES: dict[str, float] = {"f16": 2.0, "q8_0": 34 / 32, "q4_0": 18 / 32, "fp8": 1.0}
"""Bytes per cached element; q8_0/q4_0 are ggml blocks of 32 values with an f16 scale (vLLM: fp8)."""


@lru_cache(maxsize=256)  # looked up by every estimate; a name that is not found raises, and is not kept
def find_quant(name: str) -> Quant:
    key = name.strip().upper().replace("-", "_").removeprefix("UD_")  # Unsloth names its dynamic files UD-…
    if key in ("FP16",):
        key = "F16"
    if key in ("FP32",):
        key = "F32"
    try:
        return QUANTS[key]
    except KeyError:
        raise InputError("err.quant", value=name, allowed=", ".join(QUANTS)) from None
