"""Chat latency: what the gateway and the page add to the fake Ollama's own first token and stream time.

The fake server emits a fixed 200 tokens/s and notes, on its side of the socket, when each request arrived,
when its first token left and when its last token left. Against that:

1. the gateway (official client, in this process): time to first token and to the last piece;
2. the page (`streamlit run` + headless Chromium): from pressing Enter to the first token on screen, and to
   the whole answer on screen. The page's figure includes the Streamlit rerun that runs before the request
   is sent, the websocket, and the browser's rendering.

Goals from the issue: ≤ 50 ms added to the first token; the whole answer visible ≤ 10% later than the
server's stream time.
"""

from __future__ import annotations

import statistics
import tempfile
from pathlib import Path

from core.chat.config import OllamaConfig
from core.chat.gateway import OllamaGateway
from core.chat.types import ChatRequest
from tests.browser.conftest import CHROMIUM_ARGS
from tests.browser.helpers import find_chromium, wait_for_app
from tests.fakes.ollama_server import FakeOllama
from tests.support.net import free_port
from tests.support.server import start_streamlit, wait_healthy

TOKENS_PER_S = 200.0
ANSWER_TOKENS = 200
GATEWAY_RUNS = 30
PAGE_RUNS = 8
PROMPT_EVAL_S = (0.0, 0.15)
"""The fake's wait before its first token: none (the page's own cost in full), and a typical prompt
evaluation, during which the page draws while the model works (the request leaves before the page draws)."""
END_MARK = "END-OF-ANSWER"
MINIMAL_CHAT_APP = """
import os
import ollama
import streamlit as st

client = ollama.Client(host=os.environ["OLLAMA_HOST"])
history = st.session_state.setdefault("history", [])


@st.fragment
def chat():
    prompt = st.bottom.chat_input("Message")
    if prompt:
        history.append({"role": "user", "content": prompt})
    for message in history:
        st.chat_message(message["role"]).write(message["content"])
    if prompt:
        stream = client.chat(model="llama3.2", messages=history, stream=True)
        with st.chat_message("assistant"):
            answer = st.write_stream(chunk["message"]["content"] for chunk in stream)
        history.append({"role": "assistant", "content": answer})


chat()
"""
"""The floor: a chat page with nothing but the official client, a fragment and st.write_stream."""

# Records, in page time, when Enter is pressed and when the newest answer first shows text and the end mark.
_WATCH_JS = """(mark) => {
  window.__chat = {};
  const box = document.querySelector("[data-testid='stChatInputTextArea']");
  box.addEventListener("keydown", (e) => {
    if (e.key === "Enter") {
      window.__chat.submit = performance.now();
      window.__chat.before = document.querySelectorAll("[data-testid='stChatMessage']").length;
    }
  }, {capture: true, once: true});
  const seen = () => {
    if (window.__chat.submit === undefined) return;
    const messages = document.querySelectorAll("[data-testid='stChatMessage']");
    if (messages.length < window.__chat.before + 2) return;  // the question and its answer
    const text = messages[messages.length - 1].textContent;  // textContent: no forced layout
    if (!window.__chat.first && text.includes("You said")) window.__chat.first = performance.now();
    if (window.__chat.first && !window.__chat.done && text.includes(mark)) window.__chat.done = performance.now();
  };
  new MutationObserver(seen).observe(document.body, {subtree: true, childList: true, characterData: true});
}"""


def _ms(values: list[float]) -> str:
    ordered = sorted(values)
    p90 = ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]
    return f"median {statistics.median(values) * 1000:7.1f} ms · p90 {p90 * 1000:7.1f} ms"


def _answer() -> str:
    words = " ".join(f"w{i}" for i in range(ANSWER_TOKENS - 6))
    return f"You said: it. {words} {END_MARK}"


def _gateway(fake: FakeOllama) -> None:
    gateway = OllamaGateway(OllamaConfig(url=fake.url))
    request = ChatRequest("llama3.2:latest", ({"role": "user", "content": "it"},))
    added, extra = [], []
    for _ in range(GATEWAY_RUNS):
        stream = gateway.chat(request)
        "".join(stream.text())
        record, stats = fake.streams[-1], stream.stats()
        added.append(stats.first_token_s - record.first_token_after_s)
        extra.append(stats.wall_s - record.stream_s)
    print(f"gateway, {GATEWAY_RUNS} answers of {ANSWER_TOKENS} tokens at {TOKENS_PER_S:g} tokens/s")
    print(f"  added to the first token        {_ms(added)}")
    print(f"  added to the last token         {_ms(extra)}")


def _page(fake: FakeOllama, chromium: str, minimal: bool = False) -> None:
    from playwright.sync_api import sync_playwright

    port = free_port()
    with tempfile.TemporaryDirectory() as data:
        script = Path(data) / "minimal_chat.py"
        script.write_text(MINIMAL_CHAT_APP, encoding="utf-8")
        proc = start_streamlit(port, {"OLLAMA_HOST": fake.url, "PLANNER_DATA_DIR": data},
                               **({"script": script} if minimal else {}))
        url = f"http://127.0.0.1:{port}"
        try:
            wait_healthy(url, proc)
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
                page = browser.new_context(viewport={"width": 1440, "height": 1000}).new_page()
                page.goto(f"{url}/?lang=en")
                wait_for_app(page)
                if not minimal:
                    page.goto(f"{url}/chat?lang=en")
                    wait_for_app(page)
                _page_runs(page, fake, "minimal chat page (official client, one fragment)" if minimal else "page")
                browser.close()
        finally:
            proc.kill()
            proc.wait()


def _page_runs(page, fake: FakeOllama, label: str) -> None:  # type: ignore[no-untyped-def]
    for prompt_eval_s in PROMPT_EVAL_S:
        fake.first_token_delay_s = prompt_eval_s
        added, ratio, server_stream = [], [], []
        for i in range(PAGE_RUNS + 1):
            new = page.get_by_test_id("stSidebar").get_by_role("button").filter(has_text="add_comment")
            if new.count():
                new.click()
                wait_for_app(page)
            page.evaluate(_WATCH_JS, END_MARK)
            box = page.get_by_test_id("stChatInputTextArea")
            box.fill(f"it {i}")
            box.press("Enter")
            page.wait_for_function("() => window.__chat.done", timeout=60_000)
            wait_for_app(page)
            seen = page.evaluate("() => window.__chat")
            record = fake.streams[-1]
            if i == 0:
                continue  # the first answer also pays for loading the page's modules once
            first_s, done_s = (seen["first"] - seen["submit"]) / 1000, (seen["done"] - seen["submit"]) / 1000
            added.append(first_s - record.first_token_after_s)
            ratio.append(done_s / record.stream_s)
            server_stream.append(record.stream_s)
        print(f"{label} in Chromium, {PAGE_RUNS} answers (after one warm-up), server's prompt evaluation "
              f"{prompt_eval_s * 1000:.0f} ms")
        print(f"  added to the first token        {_ms(added)}   (goal ≤ 50 ms)")
        print(f"  server stream time              {_ms(server_stream)}")
        print(f"  whole answer on screen / server median {statistics.median(ratio):.3f} · worst {max(ratio):.3f}"
              f"   (goal ≤ 1.10)")


def run() -> None:
    with FakeOllama(tokens_per_s=TOKENS_PER_S) as fake:
        fake.answer = _answer()
        _gateway(fake)
        chromium = find_chromium()
        if chromium is None:
            print("page: skipped, Chromium is not installed")
            return
        _page(fake, chromium, minimal=True)
        _page(fake, chromium)
