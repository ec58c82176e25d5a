"""The chat page in Chromium against the fake Ollama: a round trip, a real stop, a dead server, a reload."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.helpers import screenshot, wait_for_app
from tests.fakes.ollama_server import FakeOllama
from tests.support.net import free_port
from tests.support.server import streamlit_server

pytestmark = pytest.mark.browser
ANSWER_TIMEOUT_MS = 20_000


@pytest.fixture(scope="module")
def ollama_port() -> int:
    return free_port()


@pytest.fixture(scope="module")
def chat_url(ollama_port: int, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Streamlit server of its own: its OLLAMA_HOST and data folder are this module's."""
    data = tmp_path_factory.mktemp("chat-data")
    with streamlit_server({"OLLAMA_HOST": f"http://127.0.0.1:{ollama_port}", "PLANNER_DATA_DIR": str(data)}) as (url, _):
        yield url


@pytest.fixture
def fake(ollama_port: int) -> Iterator[FakeOllama]:
    with FakeOllama(port=ollama_port, tokens_per_s=200, answer_tokens=20) as server:
        yield server


def open_chat(page, url: str, lang: str = "en") -> None:  # type: ignore[no-untyped-def]
    """A fresh conversation on the chat page."""
    page.goto(f"{url}/chat?lang={lang}")
    wait_for_app(page)
    page.get_by_test_id("stSidebar").get_by_role("button").filter(has_text="add_comment").click()
    wait_for_app(page)


def reload(page) -> None:  # type: ignore[no-untyped-def]
    page.reload()
    wait_for_app(page)


def see(locator, text: str | None = None) -> None:  # type: ignore[no-untyped-def]
    """Wait until the element shows the text (or is visible); generous, for a loaded CI machine."""
    from playwright.sync_api import expect

    if text is None:
        expect(locator).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
    else:
        expect(locator).to_contain_text(text, timeout=ANSWER_TIMEOUT_MS)


def send(page, text: str) -> None:  # type: ignore[no-untyped-def]
    box = page.get_by_test_id("stChatInputTextArea")
    box.fill(text)
    box.press("Enter")


def test_round_trip_renders_markdown_not_html_and_survives_a_reload(page, chat_url: str,  # type: ignore[no-untyped-def]
                                                                    fake: FakeOllama) -> None:
    fake.answer = "Blue light scatters **more**. <b>raw</b> <img src=x onerror=\"window.pwned=1\">"
    open_chat(page, chat_url)
    send(page, "Why is the sky blue?")
    answer = page.get_by_test_id("stChatMessage").last
    see(answer, "Blue light scatters more.")
    see(answer, "tokens/s")
    see(answer, "predicted")
    assert answer.locator("strong").count() == 1
    assert answer.locator("b, img").count() == 0, "model output must not become HTML"
    assert page.evaluate("window.pwned") is None
    screenshot(page, "chat-round-trip-en")

    reload(page)
    see(page.get_by_test_id("stChatMessage").first, "Why is the sky blue?")
    see(page.get_by_test_id("stChatMessage").last, "Blue light scatters more.")
    assert page.get_by_test_id("stException").count() == 0


def test_stop_keeps_the_partial_answer_and_ollama_stops(page, chat_url: str,  # type: ignore[no-untyped-def]
                                                         fake: FakeOllama) -> None:
    fake.tokens_per_s = 20
    fake.answer_tokens = 400
    open_chat(page, chat_url)
    send(page, "Tell me a long story")
    answer = page.get_by_test_id("stChatMessage").last
    see(answer, "workstation")
    page.get_by_test_id("stChatInputStopButton").click()

    see(answer, "Stopped before the end.")
    assert fake.saw_hang_up(), "closing the stream is what tells Ollama to stop"
    assert not fake.streams[-1].done and fake.streams[-1].tokens < 400
    kept = answer.inner_text()
    assert "You said: Tell me a long story." in kept
    screenshot(page, "chat-stopped-en")

    reload(page)
    see(page.get_by_test_id("stChatMessage").last, "Stopped before the end.")
    see(page.get_by_role("button", name="Regenerate"))


def test_dead_server_shows_a_banner_and_keeps_history_and_new_questions(  # type: ignore[no-untyped-def]
        page, chat_url: str, fake: FakeOllama, ollama_port: int) -> None:
    open_chat(page, chat_url)
    send(page, "Remember this question")
    see(page.get_by_test_id("stChatMessage").last, "tokens/s")
    fake.stop()

    reload(page)
    banner = page.get_by_test_id("stAlertContentError").first
    see(banner, f"not reachable at http://127.0.0.1:{ollama_port}")
    see(page.get_by_test_id("stChatMessage").first, "Remember this question")
    send(page, "Still there?")
    wait_for_app(page)
    see(page.get_by_test_id("stChatMessage").last, "Still there?")
    see(page.get_by_role("button", name="Ask again"))
    assert page.get_by_test_id("stException").count() == 0
    screenshot(page, "chat-server-down-en")


def test_korean_page(page, chat_url: str, fake: FakeOllama) -> None:  # type: ignore[no-untyped-def]
    open_chat(page, chat_url, lang="ko")
    see(page.get_by_test_id("stHeading").first, "로컬 모델과 채팅")
    send(page, "하늘은 왜 파란가요?")
    answer = page.get_by_test_id("stChatMessage").last
    see(answer, "토큰/초")
    see(page.get_by_test_id("stSidebar"), "새 대화")
    assert page.get_by_test_id("stException").count() == 0
    path: Path = screenshot(page, "chat-round-trip-ko")
    assert path.stat().st_size > 0
