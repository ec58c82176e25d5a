"""The GPU catalog: data/gpu_benchmarks.csv as typed, validated records."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from core.csvdata import DATA_DIR, Column, DataFileError, read_rows, split_list
from core.errors import UnknownName

GPU_CSV = DATA_DIR / "gpu_benchmarks.csv"
DATABASE_CSV = DATA_DIR / "gpu_database.csv"
"""Cards the curated catalog lacks, from the TechPowerUp GPU database (scripts/export_gpu_database.py):
memory, bandwidth and power only; no tensor rate and no price, so no prefill estimate and no ranking on
price until a user enters one."""

SEGMENTS = ("consumer", "workstation", "datacenter", "apple")
VENDORS = ("NVIDIA", "AMD", "Apple")

_COLUMNS = (
    Column("id", required=True),
    Column("name", required=True),
    Column("vendor", "choice", required=True, choices=VENDORS),
    Column("segment", "choice", required=True, choices=SEGMENTS),
    Column("vram_gib", "float", required=True, low=2, high=1024),
    Column("memory_type"),
    Column("bandwidth_gbps", "float", required=True, low=50, high=10_000),
    Column("fp16_tensor_tflops_fp16acc_dense", "float", low=1, high=5_000),
    Column("fp16_tensor_tflops_fp32acc_dense", "float", low=1, high=5_000),
    Column("fp32_tflops", "float", low=0.1, high=1_000),
    Column("tdp_w", "float", low=10, high=2_000),
    Column("system_power_w", "float", low=10, high=5_000),
    Column("launch_year", "int", required=True, low=2015, high=2030),
    Column("msrp_usd", "float", low=50, high=100_000),
    Column("msrp_note"),
    Column("street_price_krw", "int", low=50_000, high=200_000_000),
    Column("street_price_date"),
    Column("nvlink", "bool"),
    Column("source_urls", required=True),
    Column("accessed"),
    Column("notes"),
)
SOURCE_URLS_COLUMN = 1 + [c.name for c in _COLUMNS].index("source_urls")
FP16_ACCUMULATE_ENGINES = ("ollama", "llama.cpp")
"""llama.cpp's CUDA matrix multiplications accumulate in FP16 where they may (cuBLAS CUBLAS_COMPUTE_16F);
PyTorch and vLLM accumulate FP16/BF16 products in FP32, which GeForce cards run at half their listed rate."""


@dataclass(frozen=True)
class GpuSpec:
    """One GPU (or one Apple memory configuration) as the catalog lists it."""

    id: str
    name: str
    vendor: str
    segment: str
    vram_gib: float  # memory is marketed in binary units: a "24 GB" card holds 24 GiB of GDDR
    bandwidth_gbps: float
    launch_year: int
    source_urls: tuple[str, ...]
    memory_type: str | None = None
    fp16_tensor_tflops_fp16acc_dense: float | None = None
    fp16_tensor_tflops_fp32acc_dense: float | None = None
    fp32_tflops: float | None = None  # shader (non-tensor) FP32 peak: what unpacking quantized weights runs on
    tdp_w: float | None = None
    system_power_w: float | None = None  # whole systems (DGX Spark): the supply the box ships with
    msrp_usd: float | None = None
    msrp_note: str | None = None
    street_price_krw: int | None = None
    street_price_date: str | None = None
    nvlink: bool | None = None
    accessed: str | None = None
    notes: str | None = None
    from_database: bool = False  # from DATABASE_CSV, not the curated catalog: labelled wherever it is shown

    def tensor_tflops(self, engine: str) -> float | None:
        """Dense FP16 tensor TFLOPS at the accumulate precision ``engine`` uses (see FP16_ACCUMULATE_ENGINES)."""
        if engine in FP16_ACCUMULATE_ENGINES:
            return self.fp16_tensor_tflops_fp16acc_dense
        return self.fp16_tensor_tflops_fp32acc_dense

    @property
    def is_unified_memory(self) -> bool:
        # Macs, DGX Spark, Strix Halo: the catalog marks their memory type "unified".
        return "unified" in (self.memory_type or "")

    @property
    def is_hbm(self) -> bool:
        return (self.memory_type or "").upper().startswith("HBM")


def load_gpus(path: Path = GPU_CSV, from_database: bool = False) -> tuple[GpuSpec, ...]:
    """Read and validate the catalog (or the database's file, which has a subset of its columns); a bad file
    raises DataFileError naming line and column."""
    gpus: list[GpuSpec] = []
    seen: dict[str, int] = {}
    for line, row in read_rows(path, _COLUMNS):
        if row["id"] in seen:
            raise DataFileError(path, line, 1, f"id {row['id']!r} already used on line {seen[row['id']]}")
        seen[row["id"]] = line
        urls = split_list(row.pop("source_urls"))
        if not all(url.startswith(("http://", "https://")) for url in urls):
            raise DataFileError(path, line, SOURCE_URLS_COLUMN, "source_urls must be http(s) URLs separated by ' | '")
        gpus.append(GpuSpec(source_urls=urls, from_database=from_database, **row))
    if not gpus:
        raise DataFileError(path, 2, None, "no GPU rows")
    return tuple(gpus)


@lru_cache(maxsize=1)
def catalog() -> tuple[GpuSpec, ...]:
    return load_gpus()


@lru_cache(maxsize=1)
def database() -> tuple[GpuSpec, ...]:
    """The database's cards, minus any id the catalog already uses (the catalog's figures win)."""
    known = {gpu.id for gpu in catalog()}
    return tuple(gpu for gpu in load_gpus(DATABASE_CSV, from_database=True) if gpu.id not in known)


def find_gpu(gpu_id: str, gpus: tuple[GpuSpec, ...] | None = None) -> GpuSpec:
    """Look a GPU up by id (or exact name), by default in the catalog and then the TechPowerUp database;
    the error lists the closest ids."""
    gpus = gpus if gpus is not None else catalog() + database()
    wanted = gpu_id.strip().lower()
    for gpu in gpus:
        if wanted in (gpu.id, gpu.name.lower()):
            return gpu
    raise UnknownName("err.unknown_gpu", gpu_id, [gpu.id for gpu in gpus], "gpus")
