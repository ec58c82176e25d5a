"""AppTest of the chat page against the fake Ollama: what a person sees and what is kept."""

from __future__ import annotations

import re
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import ui
from core.chat.store import ConversationStore
from tests.fakes.fake_nvml import FakeGpu, FakeNvml
from tests.fakes.ollama_server import FakeOllama
from tests.support.lan import served_on_lan
from tests.support.lan import signed_in as sign_in
from tests.support.net import free_port

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT_S = 60


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[FakeOllama]:
    with FakeOllama(tokens_per_s=2000, answer_tokens=12) as server:
        monkeypatch.setenv("OLLAMA_HOST", server.url)
        monkeypatch.setenv("PLANNER_DATA_DIR", str(tmp_path))
        monkeypatch.delenv("ALLOW_MODEL_PULL", raising=False)
        yield server


def chat_page(lang: str = "en", signed_in: bool = False, **query: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / "chat.py"), default_timeout=TIMEOUT_S)
    if signed_in:
        sign_in(at)
    at.query_params["lang"] = lang
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def say(at: AppTest, text: str) -> AppTest:
    return at.chat_input[0].set_value(text).run()


def messages(at: AppTest) -> list[tuple[str, str]]:
    return [(m.name, " ".join(md.value for md in m.markdown)) for m in at.chat_message]


def stored(tmp_path: Path) -> ConversationStore:
    return ConversationStore.in_dir(tmp_path)


def test_a_round_trip_streams_the_answer_with_its_speed_and_keeps_it(fake: FakeOllama, tmp_path: Path) -> None:
    at = say(chat_page(), "Why is the sky blue?")
    assert not at.exception and not at.error
    assert messages(at)[0] == ("user", "Why is the sky blue?")
    assert messages(at)[1][0] == "assistant" and messages(at)[1][1].startswith("You said: Why is the sky blue?")
    stats = at.chat_message[1].caption[0].value
    assert "tokens/s" in stats and "predicted" in stats and "first token" in stats and "→" in stats
    (conversation,) = stored(tmp_path).conversations()
    assert conversation.title == "Why is the sky blue?" and conversation.model == "llama3.2:latest"
    assert at.query_params["chat"] == str(conversation.id)
    assert at.sidebar.radio[0].value == conversation.id
    assert fake.last_body("/api/chat")["messages"] == [{"role": "user", "content": "Why is the sky blue?"}]


def test_model_output_is_markdown_without_html(fake: FakeOllama) -> None:
    fake.answer = "**bold** <img src=x onerror=alert(1)> <script>alert(2)</script>"
    at = say(chat_page(), "hi")
    answer = at.chat_message[1].markdown[0]
    assert answer.value == fake.answer and answer.proto.allow_html is False


def test_korean_reader(fake: FakeOllama) -> None:
    at = say(chat_page(lang="ko"), "안녕")
    assert at.title[0].value == "로컬 모델과 채팅"
    assert "토큰/초" in at.chat_message[1].caption[0].value


def test_server_down_keeps_the_question_and_answers_once_it_is_back(monkeypatch: pytest.MonkeyPatch,
                                                                     tmp_path: Path) -> None:
    port = free_port()
    monkeypatch.setenv("OLLAMA_HOST", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("PLANNER_DATA_DIR", str(tmp_path))
    at = chat_page()
    assert not at.exception
    assert f"not reachable at http://127.0.0.1:{port}" in at.error[0].value
    say(at, "Are you there?")
    assert not at.exception
    assert messages(at) == [("user", "Are you there?")], "what was typed is kept"
    assert at.button(key="chat_regenerate").label == "Ask again" and at.button(key="chat_regenerate").disabled
    with FakeOllama(port=port, tokens_per_s=2000, answer_tokens=3):
        at.run()
        at.button(key="chat_regenerate").click().run()
        assert not at.exception and not at.error
        assert messages(at)[1][1].startswith("You said: Are you there?")


def test_an_error_in_the_middle_keeps_the_partial_answer(fake: FakeOllama) -> None:
    fake.fail_after_tokens = 4
    at = say(chat_page(), "tell me more")
    assert not at.exception
    assert messages(at)[1][1] == "You said: tell me"
    assert "in the middle of the answer" in at.chat_message[1].error[0].value


def test_regenerate_replaces_the_answer(fake: FakeOllama, tmp_path: Path) -> None:
    at = say(chat_page(), "first")
    fake.answer = "A second, different answer."
    at.button(key="chat_regenerate").click().run()
    assert not at.exception
    assert messages(at) == [("user", "first"), ("assistant", "A second, different answer.")]
    assert len(fake.streams) == 2


def test_length_cut_is_warned_and_settings_reach_the_server(fake: FakeOllama) -> None:
    at = chat_page()
    at.number_input(key="chat_opt_num_predict").set_value(5)
    at.number_input(key="chat_opt_temperature").set_value(0.3)
    at.text_area(key="chat_system").set_value("Answer in one line.")
    at.selectbox(key="chat_opt_keep_alive").set_value("0")
    say(at, "long story please")
    assert not at.exception
    assert "cut by the length limit" in at.chat_message[1].warning[0].value
    body = fake.last_body("/api/chat")
    assert body["options"] == {"temperature": 0.3, "num_predict": 5} and body["keep_alive"] == 0
    assert body["messages"][0] == {"role": "system", "content": "Answer in one line."}


def test_num_ctx_cannot_exceed_the_models_context(fake: FakeOllama) -> None:
    at = chat_page()
    at.selectbox(key="chat_model").set_value("qwen3:8b").run()
    assert at.number_input(key="chat_opt_num_ctx").max == 40960


def test_thinking_is_shown_in_an_expander(fake: FakeOllama) -> None:
    at = chat_page()
    assert at.toggle(key="chat_opt_think").disabled, "llama3.2 cannot think"
    at.selectbox(key="chat_model").set_value("qwen3:8b").run()
    at.toggle(key="chat_opt_think").set_value(True).run()
    say(at, "2+2?")
    assert not at.exception
    answer = at.chat_message[1]
    assert answer.expander[0].label == "Thinking"
    assert answer.expander[0].markdown[0].value == "Let me think about '2+2?' first."
    assert answer.markdown[-1].value.startswith("You said: 2+2?")


def test_conversations_reopen_rename_and_delete(fake: FakeOllama, tmp_path: Path) -> None:
    at = say(chat_page(), "about GPUs")
    at.text_area(key="chat_system").set_value("be terse")
    at.sidebar.button[0].click().run()  # new chat
    assert messages(at) == [] and at.sidebar.radio[0].value is None
    say(at, "about CPUs")
    store = stored(tmp_path)
    gpus, cpus = sorted(store.conversations(), key=lambda c: c.id)
    assert [t.content for t in store.turns(cpus.id)][0] == "about CPUs" and cpus.system_prompt == "be terse"

    fresh = chat_page(chat=str(gpus.id))  # a reload: a new session that opens ?chat=<id>
    assert messages(fresh)[0] == ("user", "about GPUs")
    assert fresh.text_area(key="chat_system").value == "", "that conversation's own settings come back"
    fresh.text_input(key=f"chat_title_{gpus.id}").set_value("GPU questions").run()
    assert store.get(gpus.id).title == "GPU questions"  # type: ignore[union-attr]
    fresh.button(key="chat_delete").click().run()
    assert [c.id for c in store.conversations()] == [cpus.id]
    assert not fresh.exception and messages(fresh) == []


def test_export_offers_markdown_and_json(fake: FakeOllama) -> None:
    at = say(chat_page(), "export me")
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["Markdown", "JSON"]


def test_a_blank_prompt_is_refused_and_nothing_is_stored(fake: FakeOllama, tmp_path: Path) -> None:
    # Over-long prompts are cut by chat_input's max_chars in the browser (and by AppTest); the server-side
    # check behind it is tested in test_chat_core.py.
    at = say(chat_page(), "   ")
    assert not at.exception
    assert "empty message cannot be sent" in at.error[0].value
    assert stored(tmp_path).conversations() == [] and fake.streams == []


def test_no_installed_model_says_what_to_do_and_keeps_the_question(fake: FakeOllama) -> None:
    fake.models.clear()
    at = say(chat_page(), "hello?")
    assert not at.exception
    assert "ollama pull" in at.info[0].value
    assert messages(at) == [("user", "hello?")]
    assert at.button(key="chat_regenerate").disabled


def test_loaded_models_can_be_unloaded(fake: FakeOllama) -> None:
    at = chat_page()
    assert "Not loaded yet" in at.caption[1].value
    say(at, "load it")
    assert "Loaded: answers start right away." in at.caption[1].value
    assert any(m.value.startswith("**llama3.2:latest** · VRAM 1.9 GiB · 100% GPU") for m in at.markdown)
    at.button(key="chat_unload_llama3.2:latest").click().run()
    assert not at.exception and fake.loaded == {}
    assert "No model is loaded" in " ".join(c.value for c in at.caption)


def test_pull_is_hidden_unless_the_server_allows_it(fake: FakeOllama, monkeypatch: pytest.MonkeyPatch) -> None:
    at = chat_page()
    assert not [w for w in at.text_input if w.key == "chat_pull_name"]
    monkeypatch.setenv("ALLOW_MODEL_PULL", "1")
    at = chat_page()
    at.text_input(key="chat_pull_name").set_value("tinyllama").run()
    at.button(key="chat_pull").click().run()
    assert not at.exception and not at.error
    assert at.success[0].value == "tinyllama:latest is installed."
    assert at.selectbox(key="chat_model").value == "tinyllama:latest"


def test_lan_users_cannot_unload_or_pull_unless_the_server_allows_it(fake: FakeOllama,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALLOW_MODEL_PULL", "1")
    monkeypatch.delenv("ALLOW_LAN_ADMIN", raising=False)
    with served_on_lan(monkeypatch):
        assert chat_page().text_input[0].key == "auth_password"  # run alone, the page still asks first
        at = say(chat_page(signed_in=True), "load it")
        assert at.button(key="chat_unload_llama3.2:latest").disabled
        assert not [w for w in at.text_input if w.key == "chat_pull_name"]
        monkeypatch.setenv("ALLOW_LAN_ADMIN", "1")
        at = chat_page(signed_in=True)
        assert not at.button(key="chat_unload_llama3.2:latest").disabled
        assert [w for w in at.text_input if w.key == "chat_pull_name"]


def test_a_detected_gpu_gets_a_live_panel_and_a_prediction(fake: FakeOllama, monkeypatch: pytest.MonkeyPatch) -> None:
    ui.monitor_sampler.clear()  # the server's sampler is rebuilt on this test's fake NVML, then dropped
    monkeypatch.setitem(sys.modules, "pynvml", FakeNvml(gpus=[FakeGpu(util_gpu=64)]))
    try:
        at = say(chat_page(), "how fast on this GPU?")
        assert not at.exception
        assert "GPU 0 · NVIDIA GeForce RTX 4090" in [c.value for c in at.caption]
        assert [m.value for m in at.metric][:2] == ["64%", "1.0 / 24.0 GiB"]
        predicted = re.search(r"predicted ([\d,.]+) tokens/s", at.chat_message[1].caption[0].value)
        assert predicted is not None and float(predicted.group(1).replace(",", "")) > 10
    finally:
        ui.monitor_sampler.clear()


def test_no_gpu_hides_the_panel_and_says_n_a(fake: FakeOllama, monkeypatch: pytest.MonkeyPatch) -> None:
    ui.monitor_sampler.clear()
    monkeypatch.setitem(sys.modules, "pynvml", FakeNvml(gpus=[]))
    try:
        at = say(chat_page(), "no GPU here")
        assert not at.metric and "GPU, live" not in [h.value for h in at.subheader]
        assert "predicted n/a" in at.chat_message[1].caption[0].value
    finally:
        ui.monitor_sampler.clear()


def test_settings_edited_by_hand_in_the_database_fall_back_to_defaults(fake: FakeOllama, tmp_path: Path) -> None:
    store = stored(tmp_path)
    chat = store.ask(None, "old question", "llama3.2:latest")
    with sqlite3.connect(tmp_path / "conversations.sqlite3") as conn:
        conn.execute("UPDATE conversations SET options_json = ? WHERE id = ?",
                     ('{"temperature": "hot", "num_ctx": -5}', chat))
    at = chat_page(chat=str(chat))
    assert not at.exception
    assert at.number_input(key="chat_opt_temperature").value is None
    assert messages(at) == [("user", "old question")]


# --- several hosts (OLLAMA_HOSTS) ------------------------------------------------------------------------
@pytest.fixture
def two(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[tuple[FakeOllama, FakeOllama]]:
    with FakeOllama(tokens_per_s=2000, answer_tokens=3) as a, FakeOllama(tokens_per_s=2000, answer_tokens=3) as b:
        b.answer = "Answered by B."
        monkeypatch.setenv("OLLAMA_HOSTS", f"gpu-a={a.url},gpu-b={b.url}")
        monkeypatch.setenv("OLLAMA_HOST", "http://127.0.0.1:9")  # ignored while OLLAMA_HOSTS is set
        monkeypatch.setenv("PLANNER_DATA_DIR", str(tmp_path))
        monkeypatch.delenv("ALLOW_MODEL_PULL", raising=False)
        yield a, b


def test_picking_host_b_sends_the_chat_to_b_and_the_conversation_remembers_it(
        two: tuple[FakeOllama, FakeOllama], tmp_path: Path) -> None:
    a, b = two
    at = chat_page()
    assert at.sidebar.selectbox(key="host").value == "gpu-a" and "gpu-a" in at.caption[0].value
    at.sidebar.selectbox(key="host").set_value("gpu-b").run()
    assert at.query_params["host"] == "gpu-b" and b.url in at.caption[0].value
    say(at, "who answers?")
    assert not at.exception and not at.error
    assert messages(at)[1] == ("assistant", "Answered by B.")
    assert [s.path for s in b.streams] == ["/api/chat"] and a.streams == []
    (conversation,) = stored(tmp_path).conversations()
    assert conversation.host == "gpu-b"
    assert "went to host gpu-b" in " ".join(c.value for c in at.caption)
    assert "Hosts" in [h.value for h in at.subheader]
    assert sum(c.value.endswith(" Ollama 0.12.6") for c in at.caption) == 2, "both hosts are up"
    assert "Loaded: llama3.2:latest" in [c.value for c in at.caption], "B's loaded model, read from B"

    at.sidebar.selectbox(key="host").set_value("gpu-a").run()  # another host ...
    fresh = chat_page(chat=str(conversation.id))  # ... but reopening the conversation brings B back
    assert fresh.sidebar.selectbox(key="host").value == "gpu-b"


def test_the_host_in_the_url_is_used_and_an_unknown_one_falls_back_with_a_notice(
        two: tuple[FakeOllama, FakeOllama]) -> None:
    a, b = two
    at = say(chat_page(host="gpu-b"), "hi")
    assert at.sidebar.selectbox(key="host").value == "gpu-b" and len(b.streams) == 1 and not a.streams
    at = chat_page(host="gpu-z")
    assert not at.exception and at.sidebar.selectbox(key="host").value == "gpu-a"
    assert "gpu-z" in at.toast[0].value


def test_a_down_host_shows_its_error_in_the_hosts_panel_while_the_other_works(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    port = free_port()
    with FakeOllama(tokens_per_s=2000, answer_tokens=3) as a:
        monkeypatch.setenv("OLLAMA_HOSTS", f"gpu-a={a.url},gpu-down=http://127.0.0.1:{port}")
        monkeypatch.setenv("PLANNER_DATA_DIR", str(tmp_path))
        at = say(chat_page(), "still working?")
        assert not at.exception
        assert messages(at)[1][1].startswith("You said: still working?")
        (down,) = at.error
        assert f"not reachable at http://127.0.0.1:{port}" in down.value
        assert sum(c.value.endswith(" Ollama 0.12.6") for c in at.caption) == 1

        at.sidebar.selectbox(key="host").set_value("gpu-down").run()  # the down host, picked: a banner, no crash
        assert not at.exception and f"not reachable at http://127.0.0.1:{port}" in at.error[0].value


def test_a_bad_ollama_hosts_is_explained_not_a_traceback(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("OLLAMA_HOSTS", "gpu-a=http://10.0.0.5,gpu-a=http://10.0.0.6")
    monkeypatch.setenv("PLANNER_DATA_DIR", str(tmp_path))
    at = chat_page()
    assert not at.exception
    assert "gpu-a=http://10.0.0.6" in at.error[0].value and "already used" in at.error[0].value
