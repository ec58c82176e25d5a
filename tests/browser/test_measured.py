"""Three chat answers on a workstation with an RTX 4090 (the fake NVML) become three measurements, and the
monitor page's measured-against-predicted chart shows them."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import screenshot, wait_for_app
from tests.fakes.ollama_server import FakeOllama
from tests.support.server import ROOT, streamlit_server

pytestmark = pytest.mark.browser
SHIM = ROOT / "tests" / "fakes" / "nvml_shim"


@pytest.fixture(scope="module")
def workstation(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    data = tmp_path_factory.mktemp("measured")
    with FakeOllama(tokens_per_s=400, answer_tokens=40) as fake:
        env = {"OLLAMA_HOST": fake.url, "PLANNER_DATA_DIR": str(data),
               "PYTHONPATH": os.pathsep.join([str(SHIM), str(ROOT), os.environ.get("PYTHONPATH", "")])}
        with streamlit_server(env) as (url, _):
            yield url, data


def test_three_answers_appear_on_the_measured_chart(workstation: tuple[str, Path], page) -> None:  # type: ignore[no-untyped-def]
    url, _ = workstation
    page.goto(f"{url}/chat?lang=en")
    wait_for_app(page)
    for question in ("one", "two", "three"):
        box = page.get_by_test_id("stChatInputTextArea")
        box.fill(question)
        box.press("Enter")
        expect(page.get_by_test_id("stChatMessage").last).to_contain_text("tokens/s", timeout=30_000)
        wait_for_app(page)
    page.goto(f"{url}/monitor?lang=en")
    wait_for_app(page)
    main = page.locator("[data-testid='stMain']")
    expect(main).to_contain_text("Measured on our machines", timeout=30_000)
    expect(main).to_contain_text("Predicted against measured (3 runs)", timeout=30_000)
    assert page.locator("[data-testid='stException']").count() == 0
    screenshot(page, "measured_en")
