"""Memory terms for fine-tuning: full, LoRA and QLoRA, with the optimizer and checkpointing choices.

Bytes per parameter follow the transformers "model training anatomy" page: mixed precision keeps an
fp32 master copy and a 16-bit copy (6 B), gradients in fp32 (4 B), AdamW two fp32 states (8 B;
2 B for 8-bit AdamW, 4 B for SGD with momentum). Activations follow Korthikanti et al. (34·s·b·h
bytes per layer with flash attention; only the layer input, 2·s·b·h, with full recomputation), times
a coefficient fitted to published peak-memory measurements (docs/calibration.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from core.plan.memory import ACTIVATION_PAPER, HF_MEMORY_ANATOMY, Term, _fmt, ffn_hidden
from core.plan.models import ModelArch
from core.plan.quant import QLORA_PAPER, QUANTS

BNB_PAGED_OPTIMIZERS = "https://huggingface.co/docs/bitsandbytes/main/en/explanations/optimizers"

OPTIMIZER_STATE_BYTES = {"adamw": 8.0, "adamw_8bit": 2.0, "paged_adamw_8bit": 2.0, "sgd": 4.0}
MASTER_WEIGHT_BYTES = {"mixed": 6.0, "bf16": 2.0, "fp32": 4.0}
GRADIENT_BYTES = {"mixed": 4.0, "bf16": 2.0, "fp32": 4.0}
ADAPTER_BYTES = 4.0
"""PEFT keeps LoRA adapters (and so their gradients) in fp32."""

ACTIVATION_FIT = 1.0
"""Multiplier on the Korthikanti formula without checkpointing: the formula as published."""
ACTIVATION_FIT_CHECKPOINTED = 2.29
"""Multiplier with gradient checkpointing, fitted in bench/training_fit.py (docs/calibration.md)."""
FRAMEWORK_GIB_PER_B_PARAMS = 0.447
"""Allocator slack and framework buffers per billion parameters, fitted alongside (docs/calibration.md)."""
CUDA_CONTEXT_BYTES = 1.3e9


@dataclass(frozen=True)
class TrainingSetup:
    mode: str  # full | lora | qlora
    optimizer: str = "adamw"
    precision: str = "mixed"
    grad_checkpointing: bool = False
    batch: int = 1
    seq_len: int = 2048
    lora_rank: int = 16


def lora_parameters(model: ModelArch, rank: int) -> float:
    """Adapters on every linear layer: r·(d_in + d_out) for q, k, v, o, gate, up, down."""
    d, ffn = model.hidden, ffn_hidden(model)
    q_out = model.heads * model.head_dim
    kv_out = model.kv_heads * model.head_dim
    per_layer = (d + q_out) * 2 + (d + kv_out) * 2 + (d + ffn) * 3
    return float(rank * per_layer * model.layers)


def base_weights(model: ModelArch, setup: TrainingSetup) -> Term:
    params = model.params_b * 1e9
    if setup.mode == "qlora":
        nf4 = QUANTS["NF4"]
        edge = model.embedding_params * (1 if model.tied_embeddings else 2)
        total = (params - edge) * nf4.bits_per_weight / 8 + edge * 2
        return Term(
            "weights", total, "W = (P − P_emb)·4.127/8 + P_emb·2 (NF4 base)",
            f"W = ({_fmt(params)} − {_fmt(edge)})·4.127/8 + {_fmt(edge)}·2", QLORA_PAPER,
        )
    per_param = 2.0 if setup.mode == "lora" else MASTER_WEIGHT_BYTES[setup.precision]
    return Term(
        "weights", params * per_param, f"W = P·{per_param:g} B",
        f"W = {_fmt(params)}·{per_param:g}", HF_MEMORY_ANATOMY,
    )


def trainable_parameters(model: ModelArch, setup: TrainingSetup) -> float:
    return model.params_b * 1e9 if setup.mode == "full" else lora_parameters(model, setup.lora_rank)


def adapter_weights(model: ModelArch, setup: TrainingSetup) -> Term | None:
    if setup.mode == "full":
        return None
    n = lora_parameters(model, setup.lora_rank)
    return Term(
        "adapters", n * ADAPTER_BYTES, "LoRA = r·Σ(d_in + d_out)·L·4 B",
        f"LoRA = {_fmt(n)}·4", "https://arxiv.org/abs/2106.09685",
    )


def gradients(model: ModelArch, setup: TrainingSetup) -> Term:
    n = trainable_parameters(model, setup)
    per_param = GRADIENT_BYTES[setup.precision] if setup.mode == "full" else ADAPTER_BYTES
    return Term(
        "gradients", n * per_param, f"G = P_train·{per_param:g} B",
        f"G = {_fmt(n)}·{per_param:g}", HF_MEMORY_ANATOMY,
    )


def optimizer_states(model: ModelArch, setup: TrainingSetup) -> Term:
    n = trainable_parameters(model, setup)
    per_param = OPTIMIZER_STATE_BYTES[setup.optimizer]
    url = BNB_PAGED_OPTIMIZERS if "8bit" in setup.optimizer else HF_MEMORY_ANATOMY
    return Term(
        "optimizer", n * per_param, f"O = P_train·{per_param:g} B ({setup.optimizer})",
        f"O = {_fmt(n)}·{per_param:g}", url,
    )


def activations(model: ModelArch, setup: TrainingSetup, fit: float | None = None) -> Term:
    """Saved activations for the backward pass, plus the fp32 logits of the loss."""
    s, b, h, layers = setup.seq_len, setup.batch, model.hidden, model.layers
    if fit is None:
        fit = ACTIVATION_FIT_CHECKPOINTED if setup.grad_checkpointing else ACTIVATION_FIT
    logits = 2 * 4 * s * b * model.vocab  # fp32 logits and their gradient
    if setup.grad_checkpointing:
        saved = fit * (2 * s * b * h * layers + 34 * s * b * h)
        formula = "A = k·(2·s·b·h·L + 34·s·b·h) + 8·s·b·V"
        substituted = f"A = {fit:.3g}·(2·{s}·{b}·{h}·{layers} + 34·{s}·{b}·{h}) + 8·{s}·{b}·{model.vocab}"
    else:
        saved = fit * 34 * s * b * h * layers
        formula = "A = k·34·s·b·h·L + 8·s·b·V"
        substituted = f"A = {fit:.3g}·34·{s}·{b}·{h}·{layers} + 8·{s}·{b}·{model.vocab}"
    return Term("activations", saved + logits, formula, substituted, ACTIVATION_PAPER)


def runtime(model: ModelArch) -> Term:
    """CUDA context and kernels (1.3 GB, measured by the transformers docs) plus allocator slack and
    framework buffers that grow with the model, fitted to published peaks."""
    size = CUDA_CONTEXT_BYTES + FRAMEWORK_GIB_PER_B_PARAMS * model.params_b * 2**30
    return Term(
        "runtime", size, "R = 1.3 GB + c·P_B (c fitted)",
        f"R = 1.3 GB + {FRAMEWORK_GIB_PER_B_PARAMS} GiB·{model.params_b:g}", HF_MEMORY_ANATOMY,
    )


def training_terms(model: ModelArch, setup: TrainingSetup) -> list[Term]:
    terms = [base_weights(model, setup)]
    adapters = adapter_weights(model, setup)
    if adapters is not None:
        terms.append(adapters)
    terms += [gradients(model, setup), optimizer_states(model, setup), activations(model, setup)]
    return terms
