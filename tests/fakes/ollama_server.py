"""A loopback server that speaks the Ollama REST API the way a real one does, for tests and benchmarks.

What it copies from ollama/ollama (docs/api.md, docs/api/errors.mdx, server/routes.go) because the official
Python client depends on it: NDJSON streams, one object per line and never a blank line; every duration in
nanoseconds; a ``message`` in every chat chunk, the last one included; ``model_info`` in /api/show; an error
before a stream is a status with ``{"error": ...}``, an error inside a stream is an ``{"error": ...}`` line
under status 200; pull progress per layer, where the first line of a layer has no ``completed``; /api/ps
always carries ``size_vram`` and ``context_length``; ``keep_alive: 0`` with no messages unloads.

Knobs (plain attributes, change them while it runs): ``tokens_per_s``, ``answer_tokens``, ``answer``,
``first_token_delay_s``, ``load_delay_s``, ``fail_after_tokens``, ``busy``, ``malformed``, ``pull_step_s``.
What happened is kept in ``requests`` and ``streams`` (one ``StreamRecord`` per chat, with server-side times).

    python -m tests.fakes.ollama_server --port 11434 --tokens-per-s 200
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

VERSION = "0.12.6"
FOREVER_S = 10 * 365 * 24 * 3600
DEFAULT_KEEP_ALIVE_S = 300
FILLER = "Local models keep every prompt on the workstation, so the answer never leaves the building.".split()


@dataclass
class FakeModel:
    name: str
    family: str
    parameter_size: str
    quantization: str
    size_bytes: int
    model_info: dict[str, Any]
    capabilities: tuple[str, ...] = ("completion",)
    layer_bytes: tuple[int, ...] = (1_000_000, 20_000)
    vram_fraction: float = 1.0
    """Share of the model the fake GPU holds once loaded; below 1 means a CPU/GPU split in /api/ps."""

    def details(self) -> dict[str, Any]:
        return {"parent_model": "", "format": "gguf", "family": self.family, "families": [self.family],
                "parameter_size": self.parameter_size, "quantization_level": self.quantization}


def _llama_info(layers: int, hidden: int, heads: int, kv_heads: int, context: int, params: int) -> dict[str, Any]:
    return {
        "general.architecture": "llama", "general.file_type": 15, "general.parameter_count": params,
        "general.quantization_version": 2, "llama.block_count": layers, "llama.embedding_length": hidden,
        "llama.attention.head_count": heads, "llama.attention.head_count_kv": kv_heads,
        "llama.context_length": context, "llama.feed_forward_length": hidden * 8 // 3,
        "llama.rope.freq_base": 500000, "llama.vocab_size": 128256, "tokenizer.ggml.model": "gpt2",
        "tokenizer.ggml.tokens": [], "tokenizer.ggml.merges": [],
    }


def default_models() -> list[FakeModel]:
    """Two installed models: a plain one and one that thinks (its show has no general.parameter_count)."""
    qwen_info = {
        "general.architecture": "qwen3", "general.file_type": 15, "general.quantization_version": 2,
        "qwen3.block_count": 36, "qwen3.embedding_length": 4096, "qwen3.attention.head_count": 32,
        "qwen3.attention.head_count_kv": 8, "qwen3.attention.key_length": 128, "qwen3.context_length": 40960,
        "qwen3.feed_forward_length": 12288, "qwen3.vocab_size": 151936,
    }
    return [
        FakeModel("llama3.2:latest", "llama", "3.2B", "Q4_K_M", 2_019_393_189,
                  _llama_info(28, 3072, 24, 8, 131072, 3_212_749_888)),
        FakeModel("qwen3:8b", "qwen3", "8.2B", "Q4_K_M", 5_225_388_164, qwen_info,
                  capabilities=("completion", "tools", "thinking"), vram_fraction=0.8),
    ]


def pullable_models() -> list[FakeModel]:
    """What the fake registry offers to /api/pull."""
    return [FakeModel("tinyllama:latest", "llama", "1.1B", "Q4_0", 637_700_138,
                      _llama_info(22, 2048, 32, 4, 2048, 1_100_048_384), layer_bytes=(637_000_000, 98, 483))]


@dataclass
class StreamRecord:
    """One streamed request as the server saw it; times are time.perf_counter() seconds."""

    path: str
    model: str
    received_s: float
    first_token_s: float | None = None
    last_token_s: float | None = None
    tokens: int = 0
    done: bool = False
    cancelled: bool = False
    """The client hung up before the last line: what a real Ollama takes as "stop generating"."""

    @property
    def first_token_after_s(self) -> float | None:
        return None if self.first_token_s is None else self.first_token_s - self.received_s

    @property
    def stream_s(self) -> float | None:
        return None if self.last_token_s is None else self.last_token_s - self.received_s


@dataclass
class _Loaded:
    expires_at: datetime
    context_length: int


def _now() -> datetime:
    return datetime.now(UTC)


def _timestamp(moment: datetime | None = None) -> str:
    return (moment or _now()).isoformat().replace("+00:00", "Z")


def keep_alive_s(value: Any) -> float:
    """Ollama's keep_alive: seconds as a number, or a Go duration ("5m", "1h30m", "-1"); negative is forever."""
    if value is None:
        return DEFAULT_KEEP_ALIVE_S
    if isinstance(value, (int, float)):
        return FOREVER_S if value < 0 else float(value)
    text = str(value).strip()
    if re.fullmatch(r"-?\d+(\.\d+)?", text):
        return keep_alive_s(float(text))
    parts = re.findall(r"(-?\d+(?:\.\d+)?)(ms|s|m|h)", text)
    seconds = sum(float(n) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600}[unit] for n, unit in parts)
    return FOREVER_S if text.startswith("-") else seconds


def digest(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def tokens(text: str) -> list[str]:
    """Word-sized pieces that keep their leading whitespace, so joining them gives the text back."""
    return re.findall(r"\s*\S+", text)


def _wait_for(condition: Callable[[], bool], timeout_s: float) -> bool:
    """For what the server's threads do; the limit only guards against a hang."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


class FakeOllama:
    """An Ollama API on 127.0.0.1. ``with FakeOllama() as fake:`` starts it; ``fake.url`` is its OLLAMA_HOST."""

    def __init__(self, port: int = 0, tokens_per_s: float = 200.0, answer_tokens: int = 40) -> None:
        self.models = {m.name: m for m in default_models()}
        self.registry = {m.name: m for m in pullable_models()}
        self.loaded: dict[str, _Loaded] = {}
        self.tokens_per_s = tokens_per_s
        self.answer_tokens = answer_tokens
        self.answer: str | None = None
        """A fixed answer; None answers "You said: <prompt>." followed by ``answer_tokens`` filler words."""
        self.first_token_delay_s = 0.0
        self.load_delay_s = 0.0
        self.fail_after_tokens: int | None = None
        self.busy = False
        self.malformed: str | None = None
        """"no_message": chunks without ``message``; "not_json": a line that is not JSON."""
        self.pull_step_s = 0.0
        self.requests: list[tuple[str, str, dict[str, Any]]] = []
        self.streams: list[StreamRecord] = []
        self._connections: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", port), _Handler)
        self._server.daemon_threads = True
        self._server.block_on_close = False
        self._server.fake = self  # type: ignore[attr-defined]
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FakeOllama:
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), name="fake-ollama",
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Like killing `ollama serve`: the port closes and open connections drop."""
        self._server.shutdown()
        with self._lock:
            for conn in list(self._connections):
                try:
                    conn.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
        self._server.server_close()

    def __enter__(self) -> FakeOllama:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def saw_hang_up(self, timeout_s: float = 10.0) -> bool:
        """Wait until the server notices that the client closed the last stream (it does at its next write)."""
        return _wait_for(lambda: bool(self.streams) and self.streams[-1].cancelled, timeout_s)

    def saw_request(self, path: str, timeout_s: float = 10.0) -> bool:
        return _wait_for(lambda: any(p == path for _, p, _ in self.requests), timeout_s)

    def last_body(self, path: str) -> dict[str, Any]:
        return next(body for _, p, body in reversed(self.requests) if p == path)

    # --- state, shared by the handler threads ----------------------------------------------------
    def find(self, name: str) -> FakeModel | None:
        # A tag without a size means ":latest", as in Ollama's own name parsing.
        return self.models.get(name) or self.models.get(f"{name}:latest")

    def load(self, model: FakeModel, keep_alive: Any, context_length: int) -> int:
        """Mark the model loaded; the load time in ns (zero when it already was)."""
        started = time.perf_counter()
        if model.name not in self.loaded and self.load_delay_s:
            time.sleep(self.load_delay_s)
        self.loaded[model.name] = _Loaded(_now() + timedelta(seconds=keep_alive_s(keep_alive)), context_length)
        return int((time.perf_counter() - started) * 1e9)

    def running(self) -> list[dict[str, Any]]:
        now = _now()
        for name in [n for n, state in self.loaded.items() if state.expires_at <= now]:
            del self.loaded[name]
        rows = []
        for name, state in sorted(self.loaded.items(), key=lambda kv: kv[1].expires_at, reverse=True):
            model = self.models[name]
            rows.append({"name": name, "model": name, "size": model.size_bytes,
                         "digest": digest(name), "details": model.details(),
                         "expires_at": _timestamp(state.expires_at),
                         "size_vram": int(model.size_bytes * model.vram_fraction),
                         "context_length": state.context_length})
        return rows


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "ollama-fake"

    @property
    def fake(self) -> FakeOllama:
        return self.server.fake  # type: ignore[attr-defined]

    def setup(self) -> None:
        super().setup()
        # Go's net/http disables Nagle too; without it small NDJSON lines wait for delayed ACKs.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self.fake._lock:
            self.fake._connections.add(self.connection)

    def finish(self) -> None:
        with self.fake._lock:
            self.fake._connections.discard(self.connection)
        try:
            super().finish()
        except OSError:
            pass

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass

    # --- plumbing ----------------------------------------------------------------------------------
    def _send(self, status: int, body: Any, content_type: str = "application/json") -> None:
        data = body if isinstance(body, bytes) else (json.dumps(body) + "\n").encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _error(self, status: int, message: str) -> None:
        self._send(status, {"error": message})

    def _start_stream(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/x-ndjson")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

    def _line(self, obj: Any) -> None:
        """One NDJSON line as one HTTP chunk; OSError means the client has gone."""
        data = obj if isinstance(obj, bytes) else (json.dumps(obj) + "\n").encode()
        self.wfile.write(f"{len(data):X}\r\n".encode() + data + b"\r\n")

    def _end_stream(self) -> None:
        self.wfile.write(b"0\r\n\r\n")

    def _body(self) -> dict[str, Any] | None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else {}
        except json.JSONDecodeError as exc:
            self._error(400, f"invalid character in request body: {exc.msg}")
            return None
        if not isinstance(body, dict):
            self._error(400, "json: cannot unmarshal into Go value of type api.ChatRequest")
            return None
        self.fake.requests.append((self.command, self.path, body))
        return body

    # --- routes ------------------------------------------------------------------------------------
    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        self.fake.requests.append((self.command, self.path, {}))
        if self.path == "/":
            self._send(200, b"Ollama is running", "text/plain; charset=utf-8")
        elif self.path == "/api/version":
            self._send(200, {"version": VERSION})
        elif self.path == "/api/tags":
            self._send(200, {"models": [self._tag(m) for m in self.fake.models.values()]})
        elif self.path == "/api/ps":
            self._send(200, {"models": self.fake.running()})
        else:
            self._send(404, b"404 page not found", "text/plain")

    def do_DELETE(self) -> None:
        body = self._body()
        if body is None:
            return
        model = self.fake.find(str(body.get("model", "")))
        if model is None:
            self._error(404, f"model '{body.get('model')}' not found")
            return
        del self.fake.models[model.name]
        self.fake.loaded.pop(model.name, None)
        self._send(200, b"", "text/plain")

    def do_POST(self) -> None:
        body = self._body()
        if body is None:
            return
        route = {"/api/show": self._show, "/api/chat": self._chat, "/api/pull": self._pull}.get(self.path)
        if route is None:
            self._send(404, b"404 page not found", "text/plain")
        else:
            route(body)

    @staticmethod
    def _tag(model: FakeModel) -> dict[str, Any]:
        return {"name": model.name, "model": model.name, "modified_at": "2025-05-10T08:06:48.639712648-07:00",
                "size": model.size_bytes, "digest": digest(model.name),
                "details": model.details()}

    def _show(self, body: dict[str, Any]) -> None:
        name = str(body.get("model") or body.get("name") or "")
        model = self.fake.find(name)
        if model is None:
            self._error(404, f"model '{name}' not found")
            return
        self._send(200, {"license": "", "modelfile": f"FROM {model.name}\n", "parameters": "",
                         "template": "{{ .Prompt }}", "details": model.details(), "model_info": model.model_info,
                         "capabilities": list(model.capabilities), "modified_at": "2025-08-14T15:49:43.63-07:00"})

    # --- chat ----------------------------------------------------------------------------------------
    def _chunk(self, model: str, content: str = "", thinking: str | None = None, **extra: Any) -> dict[str, Any]:
        message: dict[str, Any] = {"role": "assistant", "content": content}
        if thinking is not None:
            message["thinking"] = thinking
        chunk: dict[str, Any] = {"model": model, "created_at": _timestamp(), "message": message, "done": False}
        if self.fake.malformed == "no_message":
            del chunk["message"]
        return {**chunk, **extra}

    def _chat(self, body: dict[str, Any]) -> None:
        fake = self.fake
        if fake.busy:
            self._error(503, "server busy, please try again.  maximum pending requests exceeded")
            return
        name = str(body.get("model") or "")
        if not name:
            self._error(400, "model is required")
            return
        model = fake.find(name)
        if model is None:
            self._error(404, f"model '{name}' not found")
            return
        messages = body.get("messages") or []
        options = body.get("options") or {}
        streaming = body.get("stream", True) is not False
        keep_alive = body.get("keep_alive")
        if not messages:
            self._load_or_unload(model, keep_alive, streaming)
            return
        if body.get("think") and "thinking" not in model.capabilities:
            self._error(400, f'"{model.name}" does not support thinking')
            return
        record = StreamRecord(self.path, model.name, time.perf_counter())
        fake.streams.append(record)
        load_ns = fake.load(model, keep_alive, int(options.get("num_ctx") or 4096))
        prompt = next((str(m.get("content", "")) for m in reversed(messages) if m.get("role") == "user"), "")
        answer = tokens(fake.answer if fake.answer is not None else
                        f"You said: {prompt}. " + " ".join(FILLER[i % len(FILLER)] for i in range(fake.answer_tokens)))
        thought = tokens(f"Let me think about {prompt!r} first.") if body.get("think") else []
        limit = int(options.get("num_predict") or -1)
        reason = "stop"
        if 0 < limit < len(answer):
            answer, reason = answer[:limit], "length"
        prompt_tokens = sum(len(str(m.get("content", ""))) // 4 + 4 for m in messages)
        time.sleep(fake.first_token_delay_s)
        prompt_ns = int((time.perf_counter() - record.received_s) * 1e9) - load_ns
        if not streaming:
            time.sleep(len(answer) / fake.tokens_per_s)
            final = self._final(model.name, reason, load_ns, prompt_tokens, prompt_ns, len(thought) + len(answer),
                                int(len(answer) / fake.tokens_per_s * 1e9), content="".join(answer))
            if thought:
                final["message"]["thinking"] = "".join(thought)
            self._send(200, final)
            return
        self._start_stream()
        try:
            eval_started = time.perf_counter()
            pieces = [("thinking", t) for t in thought] + [("content", t) for t in answer]
            for i, (kind, piece) in enumerate(pieces):
                time.sleep(max(0.0, eval_started + i / fake.tokens_per_s - time.perf_counter()))
                if fake.fail_after_tokens is not None and i >= fake.fail_after_tokens:
                    self._line({"error": "an error was encountered while running the model"})
                    self._end_stream()
                    return
                if fake.malformed == "not_json" and i == 2:
                    self._line(b"<html>proxy error</html>\n")
                chunk = (self._chunk(model.name, piece) if kind == "content"
                         else self._chunk(model.name, thinking=piece))
                self._line(chunk)
                record.tokens += 1
                record.last_token_s = time.perf_counter()
                record.first_token_s = record.first_token_s or record.last_token_s
            eval_ns = int((time.perf_counter() - eval_started) * 1e9)
            self._line(self._final(model.name, reason, load_ns, prompt_tokens, prompt_ns, len(pieces), eval_ns))
            self._end_stream()
            record.done = True
        except OSError:
            record.cancelled = True
            self.close_connection = True
            return
        if keep_alive_s(keep_alive) == 0:
            fake.loaded.pop(model.name, None)

    def _final(self, model: str, reason: str, load_ns: int, prompt_count: int, prompt_ns: int, eval_count: int,
               eval_ns: int, content: str = "") -> dict[str, Any]:
        metrics = {"total_duration": load_ns + prompt_ns + eval_ns, "load_duration": load_ns,
                   "prompt_eval_count": prompt_count, "prompt_eval_duration": max(prompt_ns, 1),
                   "eval_count": eval_count, "eval_duration": max(eval_ns, 1)}
        # api.Metrics fields are omitempty: a zero never reaches the wire.
        metrics = {k: v for k, v in metrics.items() if v}
        return self._chunk(model, content, done=True, done_reason=reason, **metrics)

    def _load_or_unload(self, model: FakeModel, keep_alive: Any, streaming: bool) -> None:
        if keep_alive is not None and keep_alive_s(keep_alive) == 0:
            self.fake.loaded.pop(model.name, None)
            reason = "unload"
        else:
            self.fake.load(model, keep_alive, 4096)
            reason = "load"
        chunk = self._chunk(model.name, done=True, done_reason=reason)
        if streaming:
            self._start_stream()
            self._line(chunk)
            self._end_stream()
        else:
            self._send(200, chunk)

    # --- pull ----------------------------------------------------------------------------------------
    def _pull(self, body: dict[str, Any]) -> None:
        name = str(body.get("model") or body.get("name") or "")
        model = self.fake.registry.get(name) or self.fake.registry.get(f"{name}:latest")
        if body.get("stream", True) is False:
            if model is None:
                self._error(500, "pull model manifest: file does not exist")
            else:
                self.fake.models[model.name] = model
                self._send(200, {"status": "success"})
            return
        self._start_stream()
        try:
            self._line({"status": "pulling manifest"})
            if model is None:
                self._line({"error": "pull model manifest: file does not exist"})
                self._end_stream()
                return
            for index, total in enumerate(model.layer_bytes):
                layer = digest(f"{model.name}/{index}")
                self._line({"status": f"pulling {layer[7:19]}", "digest": layer, "total": total})
                for step in range(1, 5):
                    time.sleep(self.fake.pull_step_s)
                    self._line({"status": f"pulling {layer[7:19]}", "digest": layer, "total": total,
                                "completed": total * step // 4})
            for status in ("verifying sha256 digest", "writing manifest"):
                self._line({"status": status})
            # Ollama has written the manifest, so the model is listed, before it reports success.
            self.fake.models[model.name] = model
            self._line({"status": "success"})
            self._end_stream()
        except OSError:
            self.close_connection = True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=11434)
    parser.add_argument("--tokens-per-s", type=float, default=200.0)
    parser.add_argument("--answer-tokens", type=int, default=120)
    args = parser.parse_args()
    fake = FakeOllama(args.port, args.tokens_per_s, args.answer_tokens).start()
    print(f"fake Ollama on {fake.url} ({args.tokens_per_s:g} tokens/s); Ctrl-C stops it", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        fake.stop()


if __name__ == "__main__":
    main()
