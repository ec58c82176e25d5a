"""Model architectures: data/models.csv and data/gguf_sizes.csv as typed records."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from core.csvdata import DATA_DIR, Column, DataFileError, read_rows, split_list
from core.errors import InputError, UnknownName

MODELS_CSV = DATA_DIR / "models.csv"
GGUF_SIZES_CSV = DATA_DIR / "gguf_sizes.csv"


def recurrent_layer_state_bytes(d_conv: int, d_inner: int, n_groups: int, d_state: int) -> int:
    """The f32 state one recurrent layer holds per sequence in llama.cpp: n_embd_r = (d_conv − 1)·(d_inner +
    2·n_groups·d_state) and n_embd_s = d_state·d_inner (src/llama-hparams.cpp). Gated DeltaNet maps d_state
    to the key head size, d_inner to value heads × their size and n_groups to the key heads; Mamba-2 uses
    its own d_state, heads × head size and n_groups."""
    return 4 * ((d_conv - 1) * (d_inner + 2 * n_groups * d_state) + d_state * d_inner)


@dataclass(frozen=True)
class ModelArch:
    """What the estimators need to know about a transformer, as its config.json states it.

    ``params_b`` counts every parameter (all experts of a MoE); ``active_params_b`` only those
    used per token, which is what drives decode speed.
    """

    id: str
    name: str
    params_b: float
    layers: int
    hidden: int
    heads: int
    kv_heads: int
    head_dim: int
    vocab: int
    context_max: int
    active_params_b: float | None = None
    tied_embeddings: bool = False
    sliding_window: int | None = None
    sliding_layers: int = 0
    experts: int | None = None
    experts_active: int | None = None
    family: str = ""
    aliases: tuple[str, ...] = ()
    source_urls: tuple[str, ...] = ()
    recurrent_layers: int = 0
    """Layers with a fixed-size recurrent state instead of a KV cache (Gated DeltaNet, Mamba 2 in hybrids)."""
    recurrent_state_bytes: int = 0
    """Bytes of that state per recurrent layer and sequence, as llama.cpp holds it (f32 conv and SSM state)."""
    kv_layers: int | None = None
    """Layers with a KV cache where some layers hold neither cache nor state (Nemotron-H's MoE layers);
    None: every layer that is not recurrent."""
    sliding_kv_dim: int | None = None
    """K (and V) width of one sliding-window layer, its KV heads × head size, where it differs from the
    full-attention layers' kv_heads × head_dim (Gemma 4: 16 × 256 windowed, 4 × 512 global); None: the same."""
    latent_kv: bool = False
    """Multi-head latent attention (DeepSeek, GLM-4.7-Flash): each layer caches one compressed latent per token,
    kv_heads × head_dim wide (llama.cpp's n_head_kv 1 × key_length 576 = kv_lora_rank + rope dims), read as both K
    and V, so no V is stored (llama.cpp's V-less cache since ggml-org/llama.cpp#19067)."""
    context_rope_scaled: int | None = None
    """The longest context the model card allows with rope scaling (YaRN) switched on; None when it names none."""
    gguf_files: dict[str, tuple[int, str]] = field(default_factory=dict, compare=False, hash=False)
    """Published GGUF file size in bytes and its source URL, per quant name (a file on a model hub)."""
    ollama_files: dict[str, tuple[int, str]] = field(default_factory=dict, compare=False, hash=False)
    """Ollama's own registry blob where it differs from the GGUF file (gpt-oss: 14 GB against 12.1 GB)."""

    def published_size(self, quant: str, engine: str) -> tuple[int, str] | None:
        """The size the engine loads: Ollama's blob when it publishes its own, else the GGUF file."""
        if engine == "ollama" and quant in self.ollama_files:
            return self.ollama_files[quant]
        return self.gguf_files.get(quant)

    def __post_init__(self) -> None:
        sizes = (
            ("params_b", self.params_b), ("layers", self.layers), ("hidden", self.hidden), ("heads", self.heads),
            ("kv_heads", self.kv_heads), ("head_dim", self.head_dim), ("vocab", self.vocab),
            ("context_max", self.context_max),
        )
        for name, value in sizes:
            if not value > 0:
                raise InputError("err.positive", name=name, value=value)
        if self.params_b > 5000:
            raise InputError("err.range", name="params_b", value=self.params_b, low="0", high="5,000")
        if self.kv_heads > self.heads:
            raise InputError("err.kv_heads", kv_heads=self.kv_heads, heads=self.heads)
        if self.active_params_b is not None and not 0 < self.active_params_b <= self.params_b:
            raise InputError("err.active_params", value=self.active_params_b, params_b=self.params_b)
        if not 0 <= self.sliding_layers <= self.layers:
            raise InputError("err.range", name="sliding_layers", value=self.sliding_layers, low="0",
                             high=str(self.layers))
        if not 0 <= self.recurrent_layers < self.layers - self.sliding_layers:
            raise InputError("err.range", name="recurrent_layers", value=self.recurrent_layers, low="0",
                             high=str(self.layers - self.sliding_layers - 1))
        if self.kv_layers is not None and not self.sliding_layers < self.kv_layers <= self.layers - self.recurrent_layers:
            raise InputError("err.range", name="kv_layers", value=self.kv_layers, low=str(self.sliding_layers + 1),
                             high=str(self.layers - self.recurrent_layers))

    @property
    def moe_layers(self) -> int:
        """Layers that route to experts: every layer of a MoE, except where some layers hold no cache or
        state at all (Nemotron-H's MoE layers are exactly those)."""
        if not self.is_moe:
            return 0
        return self.layers - self.recurrent_layers - self.kv_layers if self.kv_layers is not None else self.layers

    @property
    def kv_dim(self) -> int:
        """K width of a full-attention layer (llama.cpp's n_embd_k_gqa): KV heads × head size."""
        return self.kv_heads * self.head_dim

    @property
    def kv_sides(self) -> int:
        """Tensors cached per layer and token: K and V, or a latent's one."""
        return 1 if self.latent_kv else 2

    @property
    def swa_kv_dim(self) -> int:
        """K width of a sliding-window layer."""
        return self.sliding_kv_dim or self.kv_dim

    @property
    def attention_layers(self) -> int:
        """Layers that keep a KV cache: all but the recurrent ones, unless the model says fewer."""
        return self.kv_layers if self.kv_layers is not None else self.layers - self.recurrent_layers

    @property
    def is_moe(self) -> bool:
        return self.active_params_b is not None and self.active_params_b < self.params_b

    @property
    def embedding_params(self) -> float:
        """Parameters in the token-embedding table (the output head is the same size when untied)."""
        return float(self.vocab * self.hidden)


_MODEL_COLUMNS = (
    Column("id", required=True),
    Column("name", required=True),
    Column("family"),
    Column("params_b", "float", required=True, low=0.05, high=5000),
    Column("active_params_b", "float", low=0.05, high=5000),
    Column("layers", "int", required=True, low=1, high=512),
    Column("hidden", "int", required=True, low=64, high=65536),
    Column("heads", "int", required=True, low=1, high=1024),
    Column("kv_heads", "int", required=True, low=1, high=1024),
    Column("head_dim", "int", required=True, low=16, high=1024),
    Column("vocab", "int", required=True, low=1000, high=1_000_000),
    Column("context_max", "int", required=True, low=512, high=10_000_000),
    Column("tied_embeddings", "bool"),
    Column("sliding_window", "int", low=16, high=1_000_000),
    Column("sliding_layers", "int", low=0, high=512),
    Column("experts", "int", low=1, high=1024),
    Column("experts_active", "int", low=1, high=1024),
    Column("aliases"),
    Column("source_url", required=True),
    Column("notes"),
    Column("context_rope_scaled", "int", low=512, high=10_000_000),
    Column("recurrent_layers", "int", low=0, high=512),
    Column("recurrent_state_bytes", "int", low=1, high=1_000_000_000),
    Column("kv_layers", "int", low=1, high=512),
    Column("sliding_kv_dim", "int", low=16, high=1_000_000),
    Column("latent_kv", "bool"),
)

_GGUF_COLUMNS = (
    Column("model_id", required=True),
    Column("quant", required=True),
    Column("file_bytes", "int", required=True, low=10_000_000, high=2_000_000_000_000),
    Column("engine", "choice", required=True, choices=("gguf", "ollama")),
    Column("source_url", required=True),
)


def load_models(path: Path = MODELS_CSV, sizes_path: Path | None = GGUF_SIZES_CSV) -> tuple[ModelArch, ...]:
    """Read models.csv (and the published GGUF sizes) with schema and consistency checks."""
    sizes, first_line = _load_gguf_sizes(sizes_path) if sizes_path is not None else ({}, {})
    models: list[ModelArch] = []
    seen: dict[str, int] = {}
    for line, row in read_rows(path, _MODEL_COLUMNS):
        if row["id"] in seen:
            raise DataFileError(path, line, 1, f"id {row['id']!r} already used on line {seen[row['id']]}")
        seen[row["id"]] = line
        urls = split_list(row["source_url"])
        if not all(url.startswith(("http://", "https://")) for url in urls):
            raise DataFileError(path, line, 19, "source_url must be http(s) URLs separated by ' | '")
        published = sizes.pop(row["id"], {})
        try:
            model = ModelArch(
                id=row["id"], name=row["name"], family=row["family"] or "",
                params_b=row["params_b"], active_params_b=row["active_params_b"],
                layers=row["layers"], hidden=row["hidden"], heads=row["heads"],
                kv_heads=row["kv_heads"], head_dim=row["head_dim"], vocab=row["vocab"],
                context_max=row["context_max"], context_rope_scaled=row["context_rope_scaled"],
                tied_embeddings=bool(row["tied_embeddings"]),
                sliding_window=row["sliding_window"], sliding_layers=row["sliding_layers"] or 0,
                experts=row["experts"], experts_active=row["experts_active"],
                recurrent_layers=row["recurrent_layers"] or 0, recurrent_state_bytes=row["recurrent_state_bytes"] or 0,
                kv_layers=row["kv_layers"], sliding_kv_dim=row["sliding_kv_dim"], latent_kv=bool(row["latent_kv"]),
                aliases=split_list(row["aliases"]), source_urls=urls,
                gguf_files=dict(published.get("gguf", {})), ollama_files=dict(published.get("ollama", {})),
            )
        except ValueError as exc:
            raise DataFileError(path, line, None, str(exc)) from None
        models.append(model)
    if sizes and sizes_path is not None:
        unknown, line = min(((model_id, first_line[model_id]) for model_id in sizes), key=lambda item: item[1])
        raise DataFileError(sizes_path, line, 1, f"model_id {unknown!r} is not in {path.name}")
    return tuple(models)


Sizes = dict[str, dict[str, dict[str, tuple[int, str]]]]  # model id → "gguf" | "ollama" → quant → (bytes, url)


def _load_gguf_sizes(path: Path) -> tuple[Sizes, dict[str, int]]:
    """Sizes per model and quant, and the line each model first appears on (for error messages)."""
    from core.plan.quant import QUANTS  # local import: quant depends on nothing here, keeps load order obvious

    sizes: Sizes = {}
    first_line: dict[str, int] = {}
    for line, row in read_rows(path, _GGUF_COLUMNS):
        if row["quant"] not in QUANTS:
            raise DataFileError(path, line, 2, f"quant {row['quant']!r} is not one of {', '.join(QUANTS)}")
        if not row["source_url"].startswith(("http://", "https://")):
            raise DataFileError(path, line, 5, "source_url must be an http(s) URL")
        by_engine = sizes.setdefault(row["model_id"], {}).setdefault(row["engine"], {})
        by_engine[row["quant"]] = (row["file_bytes"], row["source_url"])
        first_line.setdefault(row["model_id"], line)
    return sizes, first_line


@lru_cache(maxsize=1)
def model_catalog() -> tuple[ModelArch, ...]:
    return load_models()


def find_model(key: str, models: tuple[ModelArch, ...] | None = None) -> ModelArch:
    """Resolve a model id or an Ollama tag (``llama3.1:8b``); the error names the closest matches."""
    models = models if models is not None else model_catalog()
    wanted = key.strip().lower()
    for model in models:
        if wanted == model.id or wanted in (alias.lower() for alias in model.aliases):
            return model
    if ":" not in wanted:
        # An Ollama tag without a size means ":latest".
        for model in models:
            if f"{wanted}:latest" in (alias.lower() for alias in model.aliases):
                return model
    names = [model.id for model in models] + [alias for model in models for alias in model.aliases]
    raise UnknownName("err.unknown_model", key, names, "models")
