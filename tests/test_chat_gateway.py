"""The gateway through the real `ollama` client against the fake server: answers, and every way it fails."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import httpx
import pytest

from core.chat.config import OllamaConfig
from core.chat.errors import (
    BadResponse,
    ConnectionLost,
    ModelNotFound,
    PullDisabled,
    RequestRejected,
    ServerBusy,
    ServerTimeout,
    ServerUnreachable,
    StreamFailed,
)
from core.chat.gateway import OllamaGateway
from core.chat.stream import ChatStream
from core.chat.types import ChatOptions, ChatRequest
from core.errors import InputError
from tests.fakes.ollama_server import FakeOllama
from tests.support.net import free_port


@pytest.fixture
def fake() -> Iterator[FakeOllama]:
    with FakeOllama(tokens_per_s=2000, answer_tokens=10) as server:
        yield server


def gateway_for(url: str, **config: object) -> OllamaGateway:
    return OllamaGateway(OllamaConfig(url=url, **config))  # type: ignore[arg-type]


def ask(model: str = "llama3.2:latest", prompt: str = "hi", **options: object) -> ChatRequest:
    return ChatRequest(model, ({"role": "user", "content": prompt},), ChatOptions(**options))  # type: ignore[arg-type]


def drain(stream: ChatStream) -> str:
    return "".join(stream.text())


# --- answers --------------------------------------------------------------------------------------------
def test_lists_installed_models_by_their_model_field(fake: FakeOllama) -> None:
    models = gateway_for(fake.url).list_models()
    assert [m.name for m in models] == ["llama3.2:latest", "qwen3:8b"]
    assert models[0].parameter_size == "3.2B" and models[0].quantization == "Q4_K_M"
    assert models[0].size_bytes == 2_019_393_189


def test_streamed_answer_and_its_stats_in_nanoseconds(fake: FakeOllama) -> None:
    stream = gateway_for(fake.url).chat(ask(prompt="why is the sky blue?"))
    pieces = list(stream.text())
    assert "".join(pieces) == stream.content and stream.content.startswith("You said: why is the sky blue?")
    stats = stream.stats(predicted_tokens_per_s=123.0)
    assert stats.done_reason == "stop" and stats.eval_count == stats.chunks == fake.streams[-1].tokens
    assert stats.tokens_per_s == pytest.approx(stats.eval_count / stats.eval_duration_ns * 1e9)
    assert stats.prompt_tokens_per_s == pytest.approx(stats.prompt_eval_count / stats.prompt_eval_duration_ns * 1e9)
    assert stats.first_token_s is not None and stats.wall_s is not None and stats.first_token_s <= stats.wall_s
    assert stats.predicted_tokens_per_s == 123.0
    turn = stream.turn("en")
    assert turn.role == "assistant" and not turn.stopped and not turn.error and turn.model == "llama3.2:latest"


def test_only_the_options_set_go_on_the_wire(fake: FakeOllama) -> None:
    gateway = gateway_for(fake.url)
    drain(gateway.chat(ask()))
    body = fake.last_body("/api/chat")
    assert "options" not in body and "think" not in body and body["keep_alive"] == "5m"
    drain(gateway.chat(ask(temperature=0.2, num_ctx=8192, seed=7, keep_alive="-1")))
    body = fake.last_body("/api/chat")
    assert body["options"] == {"temperature": 0.2, "num_ctx": 8192, "seed": 7}
    assert body["keep_alive"] == -1, "Go's ParseDuration rejects the string '-1'"


def test_length_limit_is_reported_as_cut(fake: FakeOllama) -> None:
    stream = gateway_for(fake.url).chat(ask(num_predict=3))
    drain(stream)
    assert stream.stats().cut_by_length and stream.stats().eval_count == 3


def test_thinking_streams_apart_from_the_answer(fake: FakeOllama) -> None:
    seen: list[str] = []
    stream = gateway_for(fake.url).chat(ask("qwen3:8b", "2+2?", think=True))
    answer = "".join(stream.text(on_thinking=seen.append))
    assert fake.last_body("/api/chat")["think"] is True
    assert stream.thinking == "Let me think about '2+2?' first."
    assert seen[-1] == stream.thinking and len(seen) > 1 and seen[0] != seen[-1]
    assert answer.startswith("You said: 2+2?") and "think" not in answer


def test_closing_mid_stream_hangs_up_so_ollama_stops(fake: FakeOllama) -> None:
    fake.tokens_per_s = 50
    fake.answer_tokens = 500
    stream = gateway_for(fake.url).chat(ask())
    pieces = stream.text()
    first = [next(pieces) for _ in range(3)]
    stream.close()
    assert fake.saw_hang_up(), "the server saw the client leave"
    assert not fake.streams[-1].done and fake.streams[-1].tokens < 500
    turn = stream.turn("en")
    assert turn.stopped and turn.content == "".join(first) and not turn.error


def test_the_request_leaves_at_start_and_waiting_is_reported(fake: FakeOllama) -> None:
    fake.first_token_delay_s = 0.6
    stream = gateway_for(fake.url).chat(ask()).start()
    assert fake.saw_request("/api/chat"), "start() sends the request before anyone reads the answer"
    waits: list[float] = []
    answer = "".join(stream.text(on_wait=waits.append))
    assert answer.startswith("You said: hi.")
    assert waits and waits == sorted(waits), "a heartbeat while the model has not answered yet"
    assert stream.stats().first_token_s >= 0.6  # type: ignore[operator]


def test_closing_before_the_first_token_still_hangs_up(fake: FakeOllama) -> None:
    fake.first_token_delay_s = 0.3
    fake.tokens_per_s = 50
    stream = gateway_for(fake.url).chat(ask()).start()
    stream.close()
    assert fake.saw_hang_up(), "the worker drops the connection as soon as the first chunk arrives"
    assert fake.streams[-1].tokens <= 2
    assert stream.turn("en").stopped


def test_running_models_show_vram_split_and_unload_frees_them(fake: FakeOllama) -> None:
    gateway = gateway_for(fake.url)
    drain(gateway.chat(ask("qwen3:8b", num_ctx=8192)))
    (row,) = gateway.running()
    assert row.name == "qwen3:8b" and row.gpu_percent == 80 and row.context_length == 8192
    assert row.expires_at is not None
    gateway.unload("qwen3:8b")
    assert gateway.running() == ()
    assert fake.last_body("/api/chat") == {"model": "qwen3:8b", "stream": False, "messages": [], "tools": [],
                                           "keep_alive": 0}


def test_show_reads_model_info_and_falls_back_to_details_for_the_size(fake: FakeOllama) -> None:
    gateway = gateway_for(fake.url)
    llama = gateway.show("llama3.2:latest")
    assert llama.architecture == "llama" and llama.context_max == 131072 and llama.parameter_count == 3_212_749_888
    assert llama.arch is not None and not llama.can_think
    qwen = gateway.show("qwen3:8b")
    assert qwen.parameter_count == 8_200_000_000 and qwen.can_think and qwen.context_max == 40960
    assert qwen.arch is not None and qwen.arch.layers == 36 and qwen.arch.head_dim == 128
    assert gateway.version() == "0.12.6"


def test_pull_is_off_unless_the_server_allows_it(fake: FakeOllama) -> None:
    with pytest.raises(PullDisabled, match="ALLOW_MODEL_PULL"):
        gateway_for(fake.url).pull("tinyllama")


def test_pull_reports_growing_progress_and_installs(fake: FakeOllama) -> None:
    gateway = gateway_for(fake.url, allow_pull=True)
    steps = list(gateway.pull("tinyllama"))
    fractions = [s.fraction for s in steps]
    assert steps[0].status == "pulling manifest" and steps[-1].status == "success"
    assert steps[-1].fraction == 1.0 and steps[-1].total_bytes == 637_000_000 + 98 + 483
    assert all(s.completed_bytes <= s.total_bytes for s in steps)
    assert fractions[1] == 0.0 and max(fractions) == 1.0
    assert "tinyllama:latest" in [m.name for m in gateway.list_models()]


def test_pull_of_an_unknown_model_fails_inside_the_stream(fake: FakeOllama) -> None:
    with pytest.raises(StreamFailed, match="pull model manifest"):
        list(gateway_for(fake.url, allow_pull=True).pull("no-such-model"))


def test_pull_refuses_names_that_are_not_model_names(fake: FakeOllama) -> None:
    with pytest.raises(InputError, match="not an Ollama model name"):
        gateway_for(fake.url, allow_pull=True).pull("../../etc/passwd")


# --- failures -------------------------------------------------------------------------------------------
def test_server_down_is_one_error_for_plain_and_streamed_calls() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    gateway = gateway_for(url)
    with pytest.raises(ServerUnreachable) as plain:
        gateway.list_models()
    assert isinstance(plain.value.__cause__, ConnectionError), "the client wraps this one itself"
    stream = gateway.chat(ask())
    with pytest.raises(ServerUnreachable) as streamed:
        drain(stream)
    assert isinstance(streamed.value.__cause__, httpx.ConnectError), "streams leak the raw httpx error"
    assert url in streamed.value.message("en") and "ollama serve" in streamed.value.message("en")
    assert url in streamed.value.message("ko")
    assert stream.turn("en").error and stream.content == ""
    with pytest.raises(ServerUnreachable):
        gateway.version()


def test_a_silent_server_times_out(fake: FakeOllama) -> None:
    fake.first_token_delay_s = 2.0
    stream = gateway_for(fake.url, read_timeout_s=0.2).chat(ask())
    with pytest.raises(ServerTimeout, match="did not answer in time"):
        drain(stream)


def test_missing_model_is_not_found_for_show_and_chat(fake: FakeOllama) -> None:
    gateway = gateway_for(fake.url)
    with pytest.raises(ModelNotFound, match="'ghost:7b' is not installed"):
        gateway.show("ghost:7b")
    with pytest.raises(ModelNotFound) as raised:
        drain(gateway.chat(ask("ghost:7b")))
    assert "ollama pull ghost:7b" in raised.value.message("en")


def test_error_line_mid_stream_keeps_what_arrived(fake: FakeOllama) -> None:
    fake.fail_after_tokens = 3
    stream = gateway_for(fake.url).chat(ask())
    got: list[str] = []
    with pytest.raises(StreamFailed, match="error was encountered while running the model"):
        for piece in stream.text():
            got.append(piece)
    assert "".join(got) == stream.content == "You said: hi."
    turn = stream.turn("ko")
    assert not turn.stopped and "답변 도중" in turn.error and turn.content == stream.content


@pytest.mark.parametrize("kind", ["no_message", "not_json"])
def test_malformed_replies_are_bad_responses(fake: FakeOllama, kind: str) -> None:
    fake.malformed = kind
    with pytest.raises(BadResponse, match="OLLAMA_HOST points at Ollama"):
        drain(gateway_for(fake.url).chat(ask()))


def test_busy_server_and_refused_request(fake: FakeOllama) -> None:
    gateway = gateway_for(fake.url)
    with pytest.raises(RequestRejected, match="does not support thinking"):
        drain(gateway.chat(ask(think=True)))
    fake.busy = True
    with pytest.raises(ServerBusy):
        drain(gateway.chat(ask()))


def test_server_killed_mid_stream_is_a_broken_connection() -> None:
    port = free_port()
    fake = FakeOllama(port=port, tokens_per_s=50, answer_tokens=500).start()
    stream = gateway_for(fake.url).chat(ask())
    pieces = stream.text()
    next(pieces)
    threading.Thread(target=fake.stop).start()
    with pytest.raises((ConnectionLost, ServerUnreachable)):
        for _ in pieces:
            pass
    assert stream.content and stream.error is not None
