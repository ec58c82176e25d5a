"""The fake Ollama keeps the promises the official client relies on (research note §2.6), checked on the wire."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from tests.fakes.ollama_server import FakeOllama, keep_alive_s, tokens

HI = {"role": "user", "content": "hi"}


@pytest.fixture
def fake() -> Iterator[FakeOllama]:
    with FakeOllama(answer_tokens=8) as server:
        yield server


def ndjson(response: httpx.Response) -> list[dict]:
    body = response.text
    assert body.endswith("\n") and "\n\n" not in body, "one object per line, never a blank line"
    return [json.loads(line) for line in body.splitlines()]


def test_chat_stream_is_ndjson_with_a_message_in_every_chunk_and_metrics_in_nanoseconds(fake: FakeOllama) -> None:
    reply = httpx.post(f"{fake.url}/api/chat", json={"model": "llama3.2", "messages": [HI]})
    assert reply.status_code == 200
    assert reply.headers["content-type"] == "application/x-ndjson"
    lines = ndjson(reply)
    assert all(line["message"]["role"] == "assistant" and "content" in line["message"] for line in lines)
    assert [line["done"] for line in lines] == [False] * (len(lines) - 1) + [True]
    final = lines[-1]
    assert final["message"]["content"] == "" and final["done_reason"] == "stop"
    for key in ("total_duration", "load_duration", "prompt_eval_count", "prompt_eval_duration", "eval_count",
                "eval_duration"):
        assert isinstance(final[key], int) and final[key] > 0
    assert final["eval_count"] == len(lines) - 1
    assert final["eval_duration"] > 1_000_000, "nanoseconds, not seconds or milliseconds"
    assert "".join(line["message"]["content"] for line in lines).startswith("You said: hi.")


def test_stream_false_gives_one_json_object(fake: FakeOllama) -> None:
    reply = httpx.post(f"{fake.url}/api/chat", json={"model": "llama3.2", "stream": False,
                                                     "messages": [{"role": "user", "content": "hi"}]})
    assert reply.headers["content-type"] == "application/json"
    assert reply.json()["done"] is True and reply.json()["message"]["content"].startswith("You said")


def test_errors_before_the_stream_are_a_status_and_inside_it_an_error_line_under_200(fake: FakeOllama) -> None:
    missing = httpx.post(f"{fake.url}/api/chat", json={"model": "nope", "messages": [HI]})
    assert missing.status_code == 404 and missing.json() == {"error": "model 'nope' not found"}
    fake.fail_after_tokens = 2
    broken = httpx.post(f"{fake.url}/api/chat", json={"model": "llama3.2", "messages": [HI]})
    lines = ndjson(broken)
    assert broken.status_code == 200
    assert len(lines) == 3 and lines[-1] == {"error": "an error was encountered while running the model"}


def test_show_always_has_model_info_and_tags_have_name_and_model(fake: FakeOllama) -> None:
    shown = httpx.post(f"{fake.url}/api/show", json={"model": "qwen3:8b"}).json()
    assert shown["model_info"]["general.architecture"] == "qwen3"
    assert "general.parameter_count" not in shown["model_info"], "like gemma in openapi.yaml: size only in details"
    assert shown["details"]["parameter_size"] == "8.2B" and "thinking" in shown["capabilities"]
    tags = httpx.get(f"{fake.url}/api/tags").json()["models"]
    assert all(tag["name"] == tag["model"] for tag in tags)


def test_ps_lists_loaded_models_with_vram_and_context_and_keep_alive_zero_unloads(fake: FakeOllama) -> None:
    assert httpx.get(f"{fake.url}/api/ps").json() == {"models": []}
    httpx.post(f"{fake.url}/api/chat", json={"model": "qwen3:8b", "messages": [{"role": "user", "content": "x"}],
                                             "options": {"num_ctx": 8192}})
    (row,) = httpx.get(f"{fake.url}/api/ps").json()["models"]
    assert row["size_vram"] < row["size"] and row["context_length"] == 8192 and row["expires_at"]
    unloaded = httpx.post(f"{fake.url}/api/chat", json={"model": "qwen3:8b", "messages": [], "keep_alive": 0,
                                                        "stream": False}).json()
    assert unloaded["done_reason"] == "unload" and unloaded["message"]["role"] == "assistant"
    assert httpx.get(f"{fake.url}/api/ps").json() == {"models": []}


def test_pull_reports_progress_per_layer_and_fails_inside_the_stream(fake: FakeOllama) -> None:
    lines = ndjson(httpx.post(f"{fake.url}/api/pull", json={"model": "tinyllama"}))
    assert lines[0] == {"status": "pulling manifest"}
    layer_starts = [line for line in lines if "total" in line and "completed" not in line]
    assert len(layer_starts) == 3, "the first line of each layer has no 'completed'"
    assert [line["status"] for line in lines[-3:]] == ["verifying sha256 digest", "writing manifest", "success"]
    unknown = httpx.post(f"{fake.url}/api/pull", json={"model": "no-such-model"})
    assert unknown.status_code == 200
    assert ndjson(unknown) == [{"status": "pulling manifest"}, {"error": "pull model manifest: file does not exist"}]


def test_health_version_and_thinking_refusal(fake: FakeOllama) -> None:
    assert httpx.get(f"{fake.url}/").text == "Ollama is running"
    assert httpx.get(f"{fake.url}/api/version").json() == {"version": "0.12.6"}
    refused = httpx.post(f"{fake.url}/api/chat", json={"model": "llama3.2", "think": True,
                                                       "messages": [{"role": "user", "content": "x"}]})
    assert refused.status_code == 400 and "does not support thinking" in refused.json()["error"]


def test_go_style_keep_alive_and_token_split() -> None:
    assert keep_alive_s("5m") == 300 and keep_alive_s("1h30m") == 5400 and keep_alive_s(0) == 0
    assert keep_alive_s(-1) > 3e8 and keep_alive_s("-1m") > 3e8
    assert "".join(tokens("  two words\nand more ")) == "  two words\nand more"
