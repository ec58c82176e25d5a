"""The shipped catalogs load, every row cites a source, and a broken file is reported precisely."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.csvdata import DataFileError
from core.plan.catalog import GPU_CSV, load_gpus
from core.plan.models import GGUF_SIZES_CSV, MODELS_CSV, load_models

REQUIRED_GPUS = (
    "rtx-3060-12gb", "rtx-3090", "rtx-4070", "rtx-4090", "rtx-5090", "rtx-a6000", "rtx-6000-ada", "l40s",
    "a100-80gb-sxm", "h100-pcie", "h100-sxm", "h200", "dgx-spark", "rx-7900-xtx", "mi300x",
)


def test_gpu_catalog_loads_with_sources_and_plausible_figures() -> None:
    gpus = load_gpus()
    assert len(gpus) >= 50
    ids = {g.id for g in gpus}
    assert set(REQUIRED_GPUS) <= ids
    for gpu in gpus:
        assert gpu.source_urls, gpu.id
        assert all(url.startswith("https://") or url.startswith("http://") for url in gpu.source_urls)
        if gpu.street_price_krw is not None:
            assert gpu.street_price_date, f"{gpu.id}: a won price needs its date"
        for tflops in (gpu.fp16_tensor_tflops_fp16acc_dense, gpu.fp16_tensor_tflops_fp32acc_dense):
            if tflops is not None:
                # Dense tensor throughput per GB/s of bandwidth stays within what real chips do.
                assert 0.01 < tflops / gpu.bandwidth_gbps < 2, gpu.id
        fp16acc, fp32acc = gpu.fp16_tensor_tflops_fp16acc_dense, gpu.fp16_tensor_tflops_fp32acc_dense
        if fp16acc is not None and fp32acc is not None:
            # GeForce halves the FP32-accumulate rate; professional and datacenter cards do not.
            expected = 0.5 if gpu.segment == "consumer" and gpu.vendor == "NVIDIA" else 1.0
            assert fp32acc / fp16acc == pytest.approx(expected, rel=0.01), gpu.id
        if gpu.vendor != "Apple":
            assert gpu.tdp_w is not None, f"{gpu.id}: a discrete card needs its board power"
    assert {g.segment for g in gpus} == {"consumer", "workstation", "datacenter", "apple"}


def test_model_catalog_loads_with_sources_and_consistent_shapes() -> None:
    models = load_models()
    assert len(models) >= 25
    for model in models:
        assert model.source_urls, model.id
        if model.latent_kv:
            # Latent attention caches one shared latent, narrower than the hidden size, in place of KV heads.
            assert model.kv_heads == 1 and model.head_dim < model.hidden, model.id
        else:
            # Attention width close to the hidden size, as in every published config.
            assert 0.4 <= model.heads * model.head_dim / model.hidden <= 4, model.id
        if model.is_moe:
            assert model.experts and model.experts_active
        for quant, (size, url) in model.gguf_files.items():
            bits = size * 8 / (model.params_b * 1e9)
            assert 1.5 < bits < 40, f"{model.id} {quant}: {bits:.2f} bits per weight"
            assert url.startswith("http")
    aliases = [alias for model in models for alias in model.aliases]
    assert len(aliases) == len(set(aliases)), "an Ollama tag must point to one model"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_bad_gpu_row_names_file_line_and_column(tmp_path: Path) -> None:
    header = GPU_CSV.read_text(encoding="utf-8").splitlines()[0]
    good = "x,X,NVIDIA,consumer,24,GDDR6X,1008,165,82.5,82.6,450,,2022,1599,,,,no,https://example.org,,"
    bad = "y,Y,NVIDIA,consumer,24,GDDR6X,lots,165,82.5,82.6,450,,2022,1599,,,,no,https://example.org,,"
    path = write(tmp_path, "gpus.csv", "\n".join([header, good, bad]) + "\n")
    with pytest.raises(DataFileError) as info:
        load_gpus(path)
    assert (info.value.line, info.value.column) == (3, 7)
    assert "gpus.csv" in str(info.value) and "bandwidth_gbps" in str(info.value) and "'lots'" in str(info.value)


@pytest.mark.parametrize(
    ("row", "column", "fragment"),
    [
        ("x,X,NVIDIA,consumer,24,,93600,,,,,,2022,,,,,,https://example.org,,", 7, "plausible range"),
        ("x,X,Intel,consumer,24,,900,,,,,,2022,,,,,,https://example.org,,", 3, "not one of"),
        ("x,X,NVIDIA,consumer,24,,900,,,,,,2022,,,,,,,,", 19, "required"),
        ("x,X,NVIDIA,consumer,24,,900,,,,,,2022,,,,,,ftp://nope,,", 19, "http"),
    ],
)
def test_implausible_or_unsourced_rows_are_refused(tmp_path: Path, row: str, column: int, fragment: str) -> None:
    header = GPU_CSV.read_text(encoding="utf-8").splitlines()[0]
    path = write(tmp_path, "gpus.csv", f"{header}\n{row}\n")
    with pytest.raises(DataFileError, match=fragment) as info:
        load_gpus(path)
    assert (info.value.line, info.value.column) == (2, column)


def test_missing_column_and_unknown_model_in_sizes(tmp_path: Path) -> None:
    path = write(tmp_path, "gpus.csv", "id,name\nx,X\n")
    with pytest.raises(DataFileError, match="missing column"):
        load_gpus(path)
    models_header = MODELS_CSV.read_text(encoding="utf-8").splitlines()[0]
    sizes_header = GGUF_SIZES_CSV.read_text(encoding="utf-8").splitlines()[0]
    models = write(tmp_path, "models.csv", models_header + "\n")
    sizes = write(tmp_path, "sizes.csv", f"{sizes_header}\nghost,Q4_K_M,4920000000,gguf,https://example.org\n")
    with pytest.raises(DataFileError, match="ghost"):
        load_models(models, sizes)


def test_prices_load_dated_and_sourced() -> None:
    from core.plan.catalog import catalog
    from core.plan.prices import load_prices

    book = load_prices()
    ids = {g.id for g in catalog()}
    priced = [gpu for gpu in catalog() if book.gpu_price(gpu) is not None]
    assert len(priced) >= 20
    assert book.usd_krw is not None and 900 < book.usd_krw.value < 2000
    # No electricity price with a primary source is shipped: the page asks for one (tests/test_pages.py).
    assert book.krw_per_kwh is None or book.krw_per_kwh.source_url.startswith("http")
    for prices in book.gpu.values():
        for price in prices:
            assert price.date and price.source_url.startswith("http")
    assert {c.gpu_id for c in book.cloud} <= ids
    assert {p.kind for p in book.parts} >= {"cpu", "ram", "psu", "ssd", "board"}


def test_bad_price_row_names_file_line_and_column(tmp_path: Path) -> None:
    from core.plan.prices import load_prices

    (tmp_path / "gpu_prices.csv").write_text(
        "gpu_id,price_krw,price_usd,date,condition,source_url,notes\n"
        "rtx-4090,2990000,,2026-05,new,https://example.org,\n"
        "rtx-4090,cheap,,2026-05,new,https://example.org,\n", encoding="utf-8")
    with pytest.raises(DataFileError) as info:
        load_prices(tmp_path)
    assert (info.value.line, info.value.column) == (3, 2)
