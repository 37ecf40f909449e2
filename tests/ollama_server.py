"""An Ollama-API-compatible HTTP server for tests: stdlib only, in a thread, on
127.0.0.1. The product talks to it with the real ``ollama`` client.

Replies are scripted per test: a queue (``server.reply(...)``), then a function of
the request (``server.responder``), then a default (a schema-valid JSON object built
from ``format`` when it is a schema, else a short text). Every request is recorded
(``server.requests``) so tests can assert what the product sent. Faults: ``delay_s``
(slower than the client's timeout), ``drop_after`` (connection closed mid-reply),
``done_reason="length"``, any invalid text, any HTTP error status.

    server.reply("plain text", {"a": 1}, Reply(content="{bad", done_reason="length"))
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import re
import socket
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

DEFAULT_MODELS = ["qwen2.5:7b-instruct", "nomic-embed-text"]
DEFAULT_TEXT = "This is a reply from the test server."
EMBED_DIM = 64


@dataclass
class Reply:
    """One scripted answer to ``POST /api/chat``.

    content: the assistant's text (a dict or list is sent as its JSON).
    done_reason: "stop", or "length" for a reply cut at num_predict.
    delay_s: wait this long before answering (to outlast a client timeout).
    drop_after: close the connection after this many content lines of a stream
        (0: right after the headers; non-streaming: without any response).
    status, error: answer with this HTTP status and ``{"error": error}`` instead.
    pieces: how a stream splits the content (default: word by word).
    """

    content: str | dict[str, Any] | list[Any] = DEFAULT_TEXT
    done_reason: str = "stop"
    delay_s: float = 0.0
    drop_after: int | None = None
    status: int = 200
    error: str | None = None
    pieces: list[str] | None = None

    @property
    def text(self) -> str:
        if isinstance(self.content, str):
            return self.content
        return json.dumps(self.content)


@dataclass
class Recorded:
    method: str
    path: str
    body: Any = None


Responder = Callable[[dict[str, Any]], "Reply | str | dict[str, Any] | None"]


@dataclass
class OllamaServer:
    models: list[str] = field(default_factory=lambda: list(DEFAULT_MODELS))
    version: str = "0.9.0"
    embed_dim: int = EMBED_DIM
    responder: Responder | None = None
    requests: list[Recorded] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._queue: deque[Reply] = deque()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ---- lifecycle ----
    def start(self) -> OllamaServer:
        self._httpd = _HTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.owner = self
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    @property
    def port(self) -> int:
        assert self._httpd is not None, "server not started"
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # ---- scripting ----
    def reply(self, *replies: Reply | str | dict[str, Any]) -> None:
        """Queue replies for the next chat requests, in order."""
        with self._lock:
            self._queue.extend(_as_reply(r) for r in replies)

    @property
    def pending(self) -> int:
        with self._lock:
            return len(self._queue)

    def chat_requests(self) -> list[dict[str, Any]]:
        return [r.body for r in self.requests if r.path == "/api/chat"]

    def has_model(self, name: str) -> bool:
        return _norm(name) in {_norm(m) for m in self.models}

    # ---- used by the handler ----
    def _record(self, rec: Recorded) -> None:
        with self._lock:
            self.requests.append(rec)

    def _next_reply(self, body: dict[str, Any]) -> Reply:
        with self._lock:
            if self._queue:
                return self._queue.popleft()
        if self.responder is not None:
            scripted = self.responder(body)
            if scripted is not None:
                return _as_reply(scripted)
        fmt = body.get("format")
        if isinstance(fmt, dict):
            return Reply(content=example_from_schema(fmt))
        if fmt == "json":
            return Reply(content={"reply": DEFAULT_TEXT})
        return Reply()

    def _sleep(self, seconds: float) -> None:
        self._stopping.wait(seconds)


def _as_reply(r: Reply | str | dict[str, Any]) -> Reply:
    return r if isinstance(r, Reply) else Reply(content=r)


def _norm(name: str) -> str:
    return name if ":" in name.rsplit("/", 1)[-1] else f"{name}:latest"


def _now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


def _words(text: str) -> int:
    return len(text.split())


def hashed_embedding(text: str, dim: int = EMBED_DIM) -> list[float]:
    """A deterministic bag-of-words vector: each lower-cased word adds +-1 to a
    hashed slot; L2-normalised. Texts sharing words get similar vectors."""
    vec = [0.0] * dim
    for word in re.findall(r"\w+", text.lower()):
        h = int.from_bytes(hashlib.sha256(word.encode()).digest()[:8], "big")
        vec[h % dim] += 1.0 if (h >> 32) & 1 else -1.0
    norm = math.sqrt(sum(v * v for v in vec))
    if norm == 0:
        vec[0], norm = 1.0, 1.0
    return [v / norm for v in vec]


# ---- schema -> a minimal valid instance ------------------------------------------------
def example_from_schema(schema: dict[str, Any]) -> Any:
    """A small instance valid for a JSON schema as pydantic writes them ($defs,
    $ref, anyOf, enum, const, bounds). Strings are non-empty, arrays hold one item."""
    return _example(schema, schema, 0)


def _resolve(ref: str, root: dict[str, Any]) -> dict[str, Any]:
    node: Any = root
    for part in ref.lstrip("#/").split("/"):
        node = node[part]
    return dict(node)


def _example(schema: dict[str, Any], root: dict[str, Any], depth: int) -> Any:
    if "$ref" in schema:
        return _example(_resolve(schema["$ref"], root), root, depth)
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    for key in ("anyOf", "oneOf"):
        if key in schema:
            options = [s for s in schema[key] if s.get("type") != "null"] or schema[key]
            return _example(options[0], root, depth)
    if "allOf" in schema:
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            merged.update(_resolve(part["$ref"], root) if "$ref" in part else part)
        return _example(merged, root, depth)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object" or "properties" in schema:
        props: dict[str, Any] = schema.get("properties", {})
        required = set(schema.get("required", []))
        # Deep in a recursive schema, stop at the required fields.
        names = props if depth < 4 else [n for n in props if n in required]
        return {n: _example(props[n], root, depth + 1) for n in names}
    if kind == "array":
        count = max(int(schema.get("minItems", 0)), 1 if depth < 4 else 0)
        item = schema.get("items", {"type": "string"})
        return [_example(item, root, depth + 1) for _ in range(count)]
    if kind in ("integer", "number"):
        value: float = 0
        if "minimum" in schema:
            value = schema["minimum"]
        elif "exclusiveMinimum" in schema:
            value = schema["exclusiveMinimum"] + 1
        if "maximum" in schema:
            value = min(value, schema["maximum"])
        return int(math.ceil(value)) if kind == "integer" else float(value)
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    text = "example"
    min_len = int(schema.get("minLength", 0))
    max_len = int(schema.get("maxLength", 10**6))
    text = (text * (min_len // len(text) + 1))[: max(min_len, min(len(text), max_len))]
    return text


# ---- HTTP ------------------------------------------------------------------------------
class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    owner: OllamaServer


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _HTTPServer

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return None

    @property
    def owner(self) -> OllamaServer:
        return self.server.owner

    # ---- plumbing ----
    def _read_body(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if not raw:
            return None
        try:
            return json.loads(raw)
        except json.JSONDecodeError:
            return raw.decode("utf-8", "replace")

    def _send(self, status: int, payload: Any, content_type: str = "application/json") -> None:
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status: int, message: str) -> None:
        self._send(status, {"error": message})

    def _drop(self) -> None:
        self.close_connection = True
        try:
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    # ---- routes ----
    def do_GET(self) -> None:
        self.owner._record(Recorded("GET", self.path))
        if self.path == "/":
            self._send(200, b"Ollama is running", "text/plain; charset=utf-8")
        elif self.path == "/api/version":
            self._send(200, {"version": self.owner.version})
        elif self.path == "/api/tags":
            self._send(200, {"models": [_model_entry(m) for m in self.owner.models]})
        else:
            self._send(404, b"404 page not found", "text/plain")

    def do_POST(self) -> None:
        body = self._read_body()
        self.owner._record(Recorded("POST", self.path, body))
        if not isinstance(body, dict):
            self._error(400, "invalid request body")
            return
        model = str(body.get("model") or "")
        routes = {"/api/chat": self._chat, "/api/embed": self._embed, "/api/show": self._show}
        route = routes.get(self.path)
        if route is None:
            self._send(404, b"404 page not found", "text/plain")
        elif not model:
            self._error(400, "model is required")
        elif not self.owner.has_model(model):
            self._error(404, f"model '{model}' not found")
        else:
            # The client may give up first (its timeout): nothing to do then.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                route(body, model)

    def _show(self, body: dict[str, Any], model: str) -> None:
        embedding = "embed" in model
        family = "nomic-bert" if embedding else "qwen2"
        self._send(
            200,
            {
                "modelfile": f"FROM {model}",
                "parameters": "",
                "template": "{{ .Prompt }}",
                "details": _details(model),
                "model_info": {
                    "general.architecture": family,
                    f"{family}.context_length": 8192 if embedding else 32768,
                    f"{family}.embedding_length": self.owner.embed_dim,
                },
                "capabilities": ["embedding"] if embedding else ["completion"],
                "modified_at": _now(),
            },
        )

    def _embed(self, body: dict[str, Any], model: str) -> None:
        texts = body.get("input", "")
        items = [texts] if isinstance(texts, str) else list(texts)
        vectors = [hashed_embedding(str(t), self.owner.embed_dim) for t in items]
        self._send(
            200,
            {
                "model": model,
                "embeddings": vectors,
                "total_duration": 1000,
                "load_duration": 0,
                "prompt_eval_count": sum(_words(str(t)) for t in items),
            },
        )

    def _chat(self, body: dict[str, Any], model: str) -> None:
        if "embed" in model:
            self._error(400, f'"{model}" does not support chat')
            return
        reply = self.owner._next_reply(body)
        if reply.delay_s:
            self.owner._sleep(reply.delay_s)
        if reply.error is not None or reply.status != 200:
            self._error(reply.status if reply.status != 200 else 500, reply.error or "error")
            return
        stream = body.get("stream", True)
        prompt = " ".join(str(m.get("content", "")) for m in body.get("messages") or [])
        text = reply.text
        final = {
            "model": model,
            "created_at": _now(),
            "message": {"role": "assistant", "content": ""},
            "done": True,
            "done_reason": reply.done_reason,
            "total_duration": 5_000_000,
            "load_duration": 1_000_000,
            "prompt_eval_count": _words(prompt),
            "prompt_eval_duration": 1_000_000,
            "eval_count": _words(text),
            "eval_duration": 3_000_000,
        }
        if not stream:
            if reply.drop_after is not None:
                self._drop()
                return
            final["message"]["content"] = text  # type: ignore[index]
            self._send(200, final)
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/x-ndjson")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        pieces = reply.pieces if reply.pieces is not None else re.findall(r"\S+\s*|\s+", text)
        for i, piece in enumerate(pieces):
            if reply.drop_after is not None and i >= reply.drop_after:
                self._drop()
                return
            line = {
                "model": model,
                "created_at": _now(),
                "message": {"role": "assistant", "content": piece},
                "done": False,
            }
            self._write_chunk(json.dumps(line).encode() + b"\n")
        if reply.drop_after is not None:
            self._drop()
            return
        self._write_chunk(json.dumps(final).encode() + b"\n")
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def _write_chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):X}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()


def _details(model: str) -> dict[str, Any]:
    embedding = "embed" in model
    return {
        "parent_model": "",
        "format": "gguf",
        "family": "nomic-bert" if embedding else "qwen2",
        "families": ["nomic-bert" if embedding else "qwen2"],
        "parameter_size": "137M" if embedding else "7.6B",
        "quantization_level": "F16" if embedding else "Q4_K_M",
    }


def _model_entry(name: str) -> dict[str, Any]:
    full = _norm(name)
    return {
        "name": full,
        "model": full,
        "modified_at": _now(),
        "size": 1_000_000,
        "digest": hashlib.sha256(full.encode()).hexdigest(),
        "details": _details(full),
    }
