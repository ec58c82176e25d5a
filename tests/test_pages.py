"""AppTest: every page runs without an exception, and inputs change what it shows."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.fakes import fake_nvml
from tests.fakes.fake_nvml import FakeNvml
from tests.support.net import free_port

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT_S = 60


def vram_page(lang: str = "en") -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / "vram.py"), default_timeout=TIMEOUT_S)
    at.query_params["lang"] = lang
    return at.run()


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def home(lang: str = "en") -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT_S)
    at.query_params["lang"] = lang
    return at.run()


@pytest.fixture
def bare_machine(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No NVIDIA driver and no Ollama, whatever the machine running the tests has."""
    import ui

    monkeypatch.setitem(sys.modules, "pynvml", FakeNvml(init_error=fake_nvml.DRIVER_NOT_LOADED))
    monkeypatch.setenv("OLLAMA_HOST", f"http://127.0.0.1:{free_port()}")  # a closed port
    monkeypatch.delenv("OLLAMA_HOSTS", raising=False)
    ui.monitor_sampler.clear()
    yield
    ui.monitor_sampler.clear()


def test_app_opens_on_home_with_machine_state_and_links_that_carry_the_scenario(bare_machine: None) -> None:
    at = home()
    assert not at.exception
    assert at.title[0].value == "LLM workstation planner"
    text = " ".join(m.value for m in at.markdown)
    assert "GPUs on this machine" in text and "Ollama" in text
    # No GPU and no Ollama here: each says so and why, instead of failing.
    assert "None: The NVIDIA driver is not loaded" in text
    assert "Not reachable" in text or "checking" in text  # the host check runs in the background
    if "checking" in text:
        at.run()
        assert "Not reachable" in " ".join(m.value for m in at.markdown)
    assert "needs" in text and "GiB" in text
    at.selectbox(key="model").set_value("llama-3.1-70b").run()
    links = {link.proto.label: link.proto.query_string for link in at.get("page_link")}
    assert "model=llama-3.1-70b" in links["Memory for this model"]
    assert "models=llama-3.1-70b" in links["GPUs for this scenario"]
    assert at.dataframe[0].value.shape[0] == 2  # the team's two tiers


def test_calculator_answers_and_a_longer_context_needs_more_memory() -> None:
    at = vram_page()
    assert not at.exception
    before = metric(at, "Total memory")
    at.number_input(key="ctx").set_value(65536).run()
    after = metric(at, "Total memory")
    assert not at.exception
    assert float(after.split()[0]) > float(before.split()[0])
    # The breakdown (one HTML block), and the open tab's table of the cards that hold it (the share left free
    # drawn in it); the other tab's chart is built when it is opened.
    assert any("GPU memory by term" in block.value for block in at.html) and not at.get("plotly_chart")
    fits = at.dataframe[0].value
    assert {"Headroom", "Left free"} <= set(fits.columns) and fits["Left free"].dropna().between(0, 100).all()
    at.session_state["vram_tabs"] = "Memory by context"
    at.run()
    titles = [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]
    assert len(titles) == 1 and titles[0].endswith("memory against context")


def test_choosing_a_gpu_gives_a_verdict_and_the_longest_context() -> None:
    at = vram_page()
    at.selectbox(key="gpu").set_value("rtx-4090").run()
    assert not at.exception
    assert "fits" in json.dumps([m.proto.delta for m in at.metric])
    assert int(metric(at, "Longest context on this GPU").replace(",", "")) >= 8192


def test_korean_is_the_default_for_a_korean_reader() -> None:
    at = vram_page(lang="ko")
    assert at.title[0].value == "VRAM 계산기"
    assert metric(at, "필요 메모리 합계").endswith("GiB")


def test_context_beyond_the_model_says_what_is_allowed_and_keeps_the_input() -> None:
    at = vram_page()
    at.number_input(key="ctx").set_value(5_000_000).run()
    assert not at.exception
    assert "exceeds" in at.error[0].value and "maximum" in at.error[0].value
    assert at.number_input(key="ctx").value == 5_000_000


def test_custom_architecture_with_impossible_heads_is_explained() -> None:
    at = vram_page()
    at.segmented_control(key="src").set_value("custom").run()
    at.number_input(key="custom_kv_heads").set_value(64).run()
    assert not at.exception
    assert "cannot exceed" in at.error[0].value
    at.number_input(key="custom_kv_heads").set_value(8).run()
    assert not at.error and metric(at, "Total memory").endswith("GiB")


def test_config_upload_good_and_bad() -> None:
    at = vram_page()
    at.segmented_control(key="src").set_value("upload").run()
    at.file_uploader(key="vram_upload").set_value(("config.json", b"{oops", "application/json")).run()
    assert not at.exception
    assert "not valid JSON" in at.error[0].value
    config = {"hidden_size": 2048, "num_hidden_layers": 16, "num_attention_heads": 32, "num_key_value_heads": 8,
              "vocab_size": 128256, "max_position_embeddings": 131072, "intermediate_size": 8192,
              "tie_word_embeddings": True, "_name_or_path": "my-1b"}
    at.file_uploader(key="vram_upload").set_value(("config.json", json.dumps(config).encode(), "application/json"))
    at.run()
    assert not at.exception and not at.error
    assert "my-1b" in at.success[0].value


def test_fine_tuning_mode_shows_training_terms() -> None:
    at = vram_page()
    at.segmented_control(key="mode").set_value("qlora").run()
    assert not at.exception
    breakdown = next(block.value for block in at.html if "GPU memory by term" in block.value)
    assert all(name in breakdown for name in ("Optimizer states", "Gradients", "LoRA adapters", "Activations"))


@pytest.mark.parametrize("engine", ["ollama", "llama.cpp", "vllm", "transformers"])
def test_every_engine_runs(engine: str) -> None:
    at = vram_page()
    at.selectbox(key="engine").set_value(engine).run()
    at.selectbox(key="gpu").set_value("h100-pcie").run()
    assert not at.exception and not at.error


def recommend_page(lang: str = "en") -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / "recommend.py"), default_timeout=TIMEOUT_S)
    at.query_params["lang"] = lang
    return at.run()


def ranked_table(at: AppTest):  # type: ignore[no-untyped-def]
    return next(d.value for d in at.dataframe if "Workstation total" in d.value.columns or "워크스테이션 총액" in d.value.columns)


def test_recommendations_rank_options_and_react_to_the_budget() -> None:
    at = recommend_page()
    assert not at.exception and not at.error
    ranked = ranked_table(at)
    assert len(ranked) >= 1
    assert len(at.get("plotly_chart")) == 2  # the open tab's chart and the team's tiers
    def totals(table) -> list[int]:  # type: ignore[no-untyped-def]
        return [int("".join(ch for ch in str(v) if ch.isdigit())) for v in table["Workstation total"]]

    assert max(totals(ranked)) > 4_500_000  # at the default budget, dearer boxes are on the list
    at.number_input(key="budget_krw").set_value(4_500_000).run()
    assert not at.exception
    assert 0 < max(totals(ranked_table(at))) <= 4_500_000


def test_recommendations_for_several_models_and_fine_tuning() -> None:
    at = recommend_page(lang="ko")
    at.number_input(key="budget_krw").set_value(30_000_000).run()
    at.multiselect(key="models").set_value(["llama-3.1-8b", "qwen2.5-32b"]).run()
    serving = ranked_table(at)
    at.segmented_control(key="mode").set_value("qlora").run()
    assert not at.exception and not at.error
    assert at.title[0].value == "GPU 추천"
    tuned = ranked_table(at)
    # QLoRA on a 32B model needs more memory than serving it, and runs on transformers (CUDA or unified memory):
    # fewer boxes qualify, and a 32 GB AMD card that serves it is no longer among them.
    assert 0 < len(tuned) < len(serving)
    assert not any("Radeon" in config for config in tuned["구성"]) and any("Radeon" in c for c in serving["구성"])


def test_recommendations_on_an_engine_without_calibration_show_no_speeds_and_say_why() -> None:
    at = recommend_page()
    at.number_input(key="budget_krw").set_value(20_000_000).run()
    at.selectbox(key="engine").set_value("transformers").run()
    at.selectbox(key="quant").set_value("F16").run()
    assert not at.exception and not at.error
    ranked = ranked_table(at)
    assert len(ranked) >= 1 and ranked["Tokens/s per user"].isna().all()
    assert any("No speeds" in info.value for info in at.info)
    assert len(at.get("plotly_chart")) == 1  # the team's tiers only: no empty speed chart
    at.selectbox(key="engine").set_value("ollama").run()
    assert not any("No speeds" in info.value for info in at.info) and len(at.get("plotly_chart")) == 2


def test_recommendations_with_no_option_in_budget_chart_nothing_and_say_why() -> None:
    at = recommend_page()
    at.number_input(key="budget_krw").set_value(1_000_000).run()
    assert not at.exception and "No configuration meets" in at.warning[0].value
    assert any("Nothing to chart" in info.value for info in at.info)
    assert len(at.get("plotly_chart")) == 1  # the team's tiers only: no speed chart of bare axes
    at.number_input(key="budget_krw").set_value(20_000_000).run()
    assert not any("Nothing to chart" in info.value for info in at.info) and len(at.get("plotly_chart")) == 2


def test_recommendations_without_a_model_say_so() -> None:
    at = recommend_page()
    at.multiselect(key="models").set_value([]).run()
    assert not at.exception
    assert "at least one" in at.error[0].value


def test_a_shared_link_reopens_the_scenario_and_stale_values_fall_back_with_a_notice() -> None:
    at = AppTest.from_file(str(ROOT / "pages" / "vram.py"), default_timeout=TIMEOUT_S)
    for key, value in {"lang": "en", "model": "qwen3-14b", "gpu": "rtx-4090", "ctx": "32768", "engine": "llama.cpp",
                       "quant": "Q8_0"}.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception and not at.toast
    assert at.selectbox(key="model").value == "qwen3-14b" and at.selectbox(key="quant").value == "Q8_0"
    assert at.number_input(key="ctx").value == 32768
    assert "/ 24.0 GiB" in metric(at, "Per GPU / usable")

    stale = AppTest.from_file(str(ROOT / "pages" / "vram.py"), default_timeout=TIMEOUT_S)
    for key, value in {"lang": "en", "model": "gpt-9", "ctx": "lots", "gpus": "999", "engine": "tgi"}.items():
        stale.query_params[key] = value
    stale.run()
    assert not stale.exception
    notices = " ".join(t.value for t in stale.toast)
    assert "model=gpt-9" in notices and "ctx=lots" in notices and "gpus=999" in notices
    # A number says what the link may hold and what is used instead.
    assert "gpus=999 is not a number from 1 to 64; using the default, 1." in notices
    assert "engine=tgi is not one of ollama, llama.cpp, vllm, transformers; using the default, ollama." in notices
    assert stale.selectbox(key="model").value == "llama-3.1-8b" and stale.number_input(key="ctx").value == 8192


def test_recommendation_links_carry_the_scenario() -> None:
    at = AppTest.from_file(str(ROOT / "pages" / "recommend.py"), default_timeout=TIMEOUT_S)
    for key, value in {"lang": "en", "models": "llama-3.1-70b,qwen3-14b", "users": "3", "budget_krw": "9000000",
                       "cur": "krw"}.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception and not at.toast
    assert at.multiselect(key="models").value == ["llama-3.1-70b", "qwen3-14b"]
    assert at.number_input(key="users").value == 3


def test_a_custom_model_that_cannot_exist_says_why_and_the_plan_stays() -> None:
    at = AppTest.from_file(str(ROOT / "pages" / "recommend.py"), default_timeout=TIMEOUT_S)
    for key, value in {"lang": "en", "custom": "1", "custom_heads": "7"}.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception
    assert [e.value for e in at.error] == ["kv_heads (8) cannot exceed heads (7)"]
    assert at.number_input(key="custom_heads").value == 7  # what was typed stays
    assert len(ranked_table(at)) > 0  # the catalog's models are still planned


def test_a_card_from_the_database_plans_labelled_and_unpriced() -> None:
    at = vram_page()
    at.selectbox(key="gpu").set_value("db-geforce-rtx-2080").run()
    assert not at.exception and not at.error
    assert at.selectbox(key="gpu").format_func("db-geforce-rtx-2080") == "GeForce RTX 2080 · TechPowerUp database"
    assert metric(at, "Per GPU / usable").endswith("/ 8.0 GiB")
    page = recommend_page()
    page.multiselect(key="extra").set_value(["db-geforce-rtx-2080"]).run()
    assert not page.exception
    prices = next(d for d in page.dataframe if "gpu_id" in d.value.columns).value
    assert prices.set_index("gpu_id").loc["db-geforce-rtx-2080"].isna()["price_krw"]  # for the user to enter
    assert "GeForce RTX 2080" not in set(ranked_table(page)["Configuration"].str.replace(r"^\d+× ", "", regex=True))
    assert "- **GeForce RTX 2080**: " in " ".join(m.value for m in page.markdown)  # added, so it says why not
