"""The recommender: budget respected, nothing that does not fit offered, a stable ranking, whole workstations."""

from __future__ import annotations

import pytest

from core.errors import InputError
from core.plan.catalog import catalog
from core.plan.models import find_model
from core.plan.prices import Constant, Part, Price, PriceBook
from core.plan.recommend import Request, evaluate, recommend, sizing

SRC = "https://example.org/price"


def part(part_id: str, kind: str, name: str, krw: float, spec: str) -> Part:
    return Part(part_id, kind, name, Price(krw, "2026-10", SRC), spec)


@pytest.fixture(scope="module")
def book() -> PriceBook:
    gpu_krw = {"rtx-3060-12gb": 400_000, "rtx-4070": 800_000, "rtx-3090": 1_100_000, "rtx-4090": 3_000_000,
               "rtx-5090": 4_200_000, "rtx-a6000": 6_000_000, "h100-pcie": 40_000_000,
               "apple-m4-max-128gb": 7_000_000}
    parts = (
        part("r7", "cpu", "Ryzen 7 7700X", 300_000, "8 cores"), part("r9", "cpu", "Ryzen 9 7950X", 600_000, "16 cores"),
        part("tr", "cpu", "Threadripper 7960X", 2_000_000, "24 cores"),
        part("m32", "ram", "DDR5 32GB", 120_000, "32 GB"), part("m64", "ram", "DDR5 64GB", 230_000, "64 GB"),
        part("m128", "ram", "DDR5 128GB", 500_000, "128 GB"),
        part("p850", "psu", "850W Gold", 150_000, "850 W"), part("p1200", "psu", "1200W Gold", 250_000, "1200 W"),
        part("p1600", "psu", "1600W Platinum", 450_000, "1600 W"),
        part("s2", "ssd", "NVMe 2TB", 150_000, "2 TB"), part("s4", "ssd", "NVMe 4TB", 300_000, "4 TB"),
        part("b650", "board", "B650 board", 200_000, "AM5"), part("trx", "board", "TRX50 board", 900_000, "TRX50"),
        part("case", "case", "Mid tower", 100_000, ""),
    )
    return PriceBook({k: [Price(v, "2026-10", SRC)] for k, v in gpu_krw.items()}, parts, (),
                     {"usd_krw": Constant(1400, "KRW/USD", "2026-10", SRC)})


def test_budget_is_respected_and_only_fitting_options_are_offered(book: PriceBook) -> None:
    request = Request(models=(find_model("qwen2.5:14b"),), context=8192, users=5, budget_krw=5_000_000)
    result = recommend(request, catalog(), book)
    assert result.options
    for option in result.options:
        assert option.fits
        assert option.price_krw <= 5_000_000
        # The whole computer is priced: GPUs plus CPU, RAM, PSU, SSD, board and case.
        assert {p.kind for p in option.workstation.parts} == {"cpu", "ram", "psu", "ssd", "board", "case"}
        assert option.price_krw == pytest.approx(option.workstation.gpu_price_krw + option.workstation.parts_price_krw)


def test_every_offered_option_is_the_full_evaluation(book: PriceBook) -> None:
    """The ranking leaves out the speed of options it cannot offer; what it offers is evaluated in full."""
    request = Request(models=(find_model("qwen2.5:14b"),), context=8192, users=5, budget_krw=6_000_000,
                      min_tokens_per_s=20)
    result = recommend(request, catalog(), book)
    assert result.options
    for option in result.options:
        assert option.decode_tokens_per_s is not None
        assert option == evaluate(request, option.gpu, option.count, book, sizing(request))


def test_ranking_puts_options_meeting_the_target_first_cheapest_first_then_the_closest_to_it(book: PriceBook) -> None:
    request = Request(models=(find_model("llama3.1:8b"),), context=8192, min_tokens_per_s=60)
    options = recommend(request, catalog(), book).options
    flags = [o.meets_target for o in options]
    assert flags == sorted(flags, reverse=True)
    meeting = [o.price_krw for o in options if o.meets_target]
    assert meeting == sorted(meeting)
    short = [o.decode_tokens_per_s_low for o in options if not o.meets_target]
    assert short and short == sorted(short, reverse=True)  # those that miss it: the closest first
    assert recommend(request, catalog(), book).options == options  # stable


def test_a_speed_range_is_shown_rounded_outward_so_it_never_reads_as_clearing_a_target_it_misses(book: PriceBook) -> None:
    """A low end of 9.99 tokens/s shows as 9: shown as 10, it would seem to clear a target of 10 that it misses."""
    request = Request(models=(find_model("qwen2.5:14b"),), context=8192, users=5)
    for option in recommend(request, catalog(), book).options:
        assert option.decode_tokens_per_s_low is not None and option.decode_tokens_per_s_high is not None
        reason = next(r for r in option.reasons if r.key == "rec.reason.speed")
        shown_low, shown_high = float(reason.values["low"]), float(reason.values["high"])
        assert shown_low <= option.decode_tokens_per_s_low < shown_low + 1
        assert shown_high - 1 < option.decode_tokens_per_s_high <= shown_high


def test_seventy_b_needs_two_24gb_cards_and_the_4090_alone_is_explained(book: PriceBook) -> None:
    request = Request(models=(find_model("llama3.1:70b"),), context=8192, budget_krw=30_000_000, max_gpus=4)
    result = recommend(request, catalog(), book)
    counts = {(o.gpu.id, o.count) for o in result.options}
    assert ("rtx-3090", 2) in counts and ("rtx-3090", 1) not in counts
    two_cards = next(o for o in result.options if o.gpu.id == "rtx-3090" and o.count == 2)
    assert any(r.key == "rec.reason.layer_split" for r in two_cards.reasons)
    assert two_cards.workstation.ram_gb >= 64  # never less than the model for loading


def test_several_models_must_all_fit(book: PriceBook) -> None:
    small = Request(models=(find_model("llama3.1:8b"),), context=4096)
    both = Request(models=(find_model("llama3.1:8b"), find_model("qwen2.5:32b")), context=4096)
    cheapest_small = recommend(small, catalog(), book).options[0].price_krw
    cheapest_both = recommend(both, catalog(), book).options[0].price_krw
    assert cheapest_both > cheapest_small


def test_fine_tuning_sizes_ram_at_128gb(book: PriceBook) -> None:
    request = Request(models=(find_model("llama3.1:8b"),), context=2048, mode="qlora")
    option = recommend(request, catalog(), book).options[0]
    assert option.workstation.ram_gb == 128


def test_why_not_names_popular_cards(book: PriceBook) -> None:
    request = Request(models=(find_model("llama3.1:70b"),), context=8192, budget_krw=4_000_000)
    reasons = {gpu.id: reason.text("en") for gpu, reason in recommend(request, catalog(), book).why_not}
    assert "over the budget" in reasons["rtx-4090"] or "does not fit" in reasons["rtx-4090"]


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [({"models": ()}, "at least one"), ({"users": 0}, "users"), ({"budget_krw": -5.0}, "budget"),
     ({"quant": "Q9"}, "quantization")],
)
def test_bad_requests_are_refused(book: PriceBook, changes: dict, fragment: str) -> None:
    base = {"models": (find_model("llama3.1:8b"),)}
    with pytest.raises(InputError, match=fragment):
        recommend(Request(**{**base, **changes}), catalog(), book)


def test_fine_tuning_and_vllm_are_offered_only_where_they_run(book: PriceBook) -> None:
    qlora = recommend(Request(models=(find_model("llama3.1:8b"),), context=2048, mode="qlora"), catalog(), book)
    assert qlora.options and all(o.gpu.vendor == "NVIDIA" for o in qlora.options)
    vllm = recommend(Request(models=(find_model("llama3.1:8b"),), engine="vllm", quant="AWQ"), catalog(), book)
    assert all(o.gpu.vendor != "Apple" for o in vllm.options)
    reasons = {g.id: r.key for g, r in vllm.why_not}
    assert reasons.get("apple-m4-max-128gb") == "rec.why.unsupported"


def test_transformers_generation_is_ranked_without_a_speed_it_cannot_stand_behind(book: PriceBook) -> None:
    """No published runs calibrate transformers' own generate(): its options carry no speed and say why, and a speed
    target is reported as not checkable rather than missed at 0 tokens/s."""
    request = Request(models=(find_model("llama3.1:8b"),), engine="transformers", quant="F16", context=2048,
                      min_tokens_per_s=10)
    result = recommend(request, catalog(), book)
    assert result.options
    assert all(o.decode_tokens_per_s is None and o.decode_tokens_per_s_low is None for o in result.options)
    assert all("rec.reason.uncalibrated" in {r.key for r in o.reasons} for o in result.options)
    assert {r.key for _, r in result.why_not} & {"rec.why.uncalibrated", "rec.why.no_fit", "rec.why.unsupported",
                                                  "rec.why.no_price", "rec.why.budget", "rec.why.ranked_lower"}
    assert "rec.why.slow" not in {r.key for _, r in result.why_not}
    ollama = recommend(Request(models=(find_model("llama3.1:8b"),), context=2048), catalog(), book)
    assert all(o.decode_tokens_per_s for o in ollama.options)


def test_two_3080_ti_get_a_supply_sized_from_their_board_power(book: PriceBook) -> None:
    from core.plan.catalog import find_gpu
    from core.plan.workstation import build

    station = build(find_gpu("rtx-3080-ti"), 2, book, 8.0, 5.0, "inference")
    # 2 × 350 W (NVIDIA's figure) plus the CPU and the rest, with headroom: far above an 850 W supply.
    assert station.power_w is not None and station.power_w >= 900
    assert station.psu_w is not None and station.psu_w >= 1200
    assert any(p.kind == "psu" and "1600" in p.name for p in station.parts)


def test_a_card_without_board_power_is_refused_with_the_reason(book: PriceBook) -> None:
    from dataclasses import replace

    from core.plan.catalog import find_gpu

    no_power = replace(find_gpu("rtx-3090"), id="rtx-3090-no-tdp", tdp_w=None)
    book_with = PriceBook({**book.gpu, "rtx-3090-no-tdp": book.gpu["rtx-3090"]}, book.parts, (), book.constants)
    result = recommend(Request(models=(find_model("llama3.1:8b"),)), (no_power, find_gpu("rtx-4090")), book_with)
    assert all(o.gpu.id != "rtx-3090-no-tdp" for o in result.options)
    reasons = {g.id: r.text("en") for g, r in result.why_not}
    assert reasons["rtx-3090-no-tdp"].startswith("No published board power")


def test_memory_beyond_the_largest_kit_is_bought_as_several_kits() -> None:
    from core.plan.workstation import _ram

    kits = [part("m32", "ram", "DDR5 32GB", 120_000, "32 GB (2x16)"), part("m64", "ram", "DDR5 64GB", 230_000, "64 GB (2x32)"),
            part("kit64", "ram", "DDR5 64GB kit", 200_000, "64 GB")]
    # Four kits of two would need eight slots; a kit whose module count is not published is bought once only.
    assert [p.part_id for p in _ram(kits, 128)] == ["m64", "m64"]
    assert [p.part_id for p in _ram(kits, 64)] == ["kit64"]
    assert _ram(kits, 512) == ()  # more than the board's four slots: refused, never priced as the largest one


def test_a_gpu_the_team_measured_uses_its_own_correction(book: PriceBook) -> None:
    from core.plan.catalog import find_gpu
    from core.plan.local import LocalCorrection

    model = find_model("llama3.1:8b")
    published = recommend(Request(models=(model,)), (find_gpu("rtx-4090"),), book).options[0]
    measured = LocalCorrection(("rtx-4090", 1, "ollama", "CUDA"), runs=37, factor=0.5, spread_pct=6.0)
    local = recommend(Request(models=(model,), local={measured.key: measured}), (find_gpu("rtx-4090"),), book).options[0]
    assert local.decode_tokens_per_s == pytest.approx(published.decode_tokens_per_s * 0.5)
    assert local.decode_tokens_per_s_low == pytest.approx(local.decode_tokens_per_s * 0.94)
    assert any(r.text("en") == "speed calibrated on this workstation: 37 answers, ±6%" for r in local.reasons)
