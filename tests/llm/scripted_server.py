"""A scripted OpenAI-compatible HTTP server on 127.0.0.1 for the model-layer tests.

It serves `POST /v1/chat/completions` from a queue of scripted `Reply` values, one per request,
and records every request (path, headers, JSON body) so a test can assert what reached the
"model": feedback text, earlier attempts, and that no secret ever appears in a prompt. A reply
can be a normal answer, an HTTP error (401, 404, 429 with retry-after, 500), a slow answer, an
answer cut off by the token limit, or a dropped connection. It uses only the standard library
(`http.server` in a daemon thread), so the real `openai` client talks to it over real HTTP.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from .loopback_http import LoopbackHttpServer


@dataclass
class Reply:
    """One scripted answer. `content` is the assistant text; the other fields shape the HTTP."""

    content: str = ""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering (slow model, client timeouts)
    finish_reason: str = "stop"  # "length" = cut off by the token limit
    prompt_tokens: int = 100
    completion_tokens: int = 50
    drop: bool = False  # close the connection without any response
    error_message: str = ""


@dataclass
class RecordedRequest:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]

    def text(self) -> str:
        """All message contents of the request, joined: what the model was shown."""
        parts = []
        for message in self.body.get("messages", []):
            content = message.get("content")
            if isinstance(content, str):
                parts.append(content)
            elif isinstance(content, list):
                parts.extend(str(p.get("text", "")) for p in content if isinstance(p, dict))
        return "\n".join(parts)

    def last_user_text(self) -> str:
        users = [m for m in self.body.get("messages", []) if m.get("role") == "user"]
        return str(users[-1].get("content", "")) if users else ""


class ScriptedServer:
    """Start with `start()`, queue replies with `push()`, read `requests`, stop with `stop()`."""

    def __init__(self) -> None:
        self.requests: list[RecordedRequest] = []
        self._script: list[Reply] = []
        self._lock = threading.Lock()
        self.request_seen = threading.Event()  # set on the first request (cancellation tests)
        # When the script is empty, answer with this (or a 400 naming the problem when None).
        self.fallback: Callable[[RecordedRequest], Reply] | None = None
        self._server: LoopbackHttpServer | None = None

    @property
    def base_url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.port}/v1"

    def push(self, *replies: Reply | str) -> None:
        with self._lock:
            self._script.extend(r if isinstance(r, Reply) else Reply(content=r) for r in replies)

    def remaining(self) -> int:
        with self._lock:
            return len(self._script)

    def _next(self, request: RecordedRequest) -> Reply:
        with self._lock:
            self.requests.append(request)
            self.request_seen.set()
            if self._script:
                return self._script.pop(0)
        if self.fallback is not None:
            return self.fallback(request)
        return Reply(status=400, error_message="scripted server: no reply left in the script")

    def start(self) -> ScriptedServer:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass  # keep test output clean

            def do_POST(self) -> None:  # noqa: N802 (http.server API)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw or b"{}")
                except ValueError:
                    body = {"_raw": raw.decode("utf-8", "replace")}
                request = RecordedRequest(
                    self.path, {k.lower(): v for k, v in self.headers.items()}, body
                )
                if not self.path.endswith("/chat/completions"):
                    self._send(404, {"error": {"message": f"no route {self.path}"}})
                    return
                reply = owner._next(request)
                if reply.delay:
                    time.sleep(reply.delay)
                if reply.drop:
                    self.close_connection = True
                    self.connection.close()
                    return
                if reply.status != 200:
                    message = reply.error_message or f"scripted error {reply.status}"
                    error = {
                        "error": {"message": message, "type": "scripted", "code": reply.status}
                    }
                    self._send(reply.status, error, reply.headers)
                    return
                completion = {
                    "id": f"chatcmpl-{len(owner.requests)}",
                    "object": "chat.completion",
                    "created": int(time.time()),
                    "model": body.get("model", "scripted"),
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": reply.content},
                            "finish_reason": reply.finish_reason,
                        }
                    ],
                    "usage": {
                        "prompt_tokens": reply.prompt_tokens,
                        "completion_tokens": reply.completion_tokens,
                        "total_tokens": reply.prompt_tokens + reply.completion_tokens,
                    },
                }
                self._send(200, completion, reply.headers)

            def _send(
                self, status: int, payload: Any, headers: dict[str, str] | None = None
            ) -> None:
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    for key, value in (headers or {}).items():
                        self.send_header(key, value)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout test): nothing to do

        self._server = LoopbackHttpServer(Handler)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
