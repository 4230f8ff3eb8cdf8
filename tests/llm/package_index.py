"""A tiny package index on 127.0.0.1 serving one wheel built at run time, for `pip install` tests.

`build_wheel` writes a pure-Python wheel by hand (no build tool, no committed binary) whose
module holds a value chosen by the caller, so a test can tell its package from any other.
`PackageIndex` serves it as a PEP 503 simple index from a daemon thread and records every path
pip asked for, so a test can prove pip really fetched the wheel. The model-layer tests use it in
a fixture; the real-VS-Code e2e runs it as a process (tests/e2e/package_index.py).
"""

from __future__ import annotations

import base64
import hashlib
import io
import zipfile
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler

from .loopback_http import LoopbackHttpServer

PACKAGE = "fixloop-probe-pkg"
MODULE = "fixloop_probe_pkg"


def build_wheel(value: str) -> tuple[str, bytes]:
    """A tiny pure-Python wheel, written by hand: (file name, bytes)."""
    dist = f"{MODULE}-1.0"
    files = {
        f"{MODULE}/__init__.py": f"VALUE = {value!r}\n".encode(),
        f"{dist}.dist-info/METADATA": (
            f"Metadata-Version: 2.1\nName: {PACKAGE}\nVersion: 1.0\n".encode()
        ),
        f"{dist}.dist-info/WHEEL": (
            b"Wheel-Version: 1.0\nGenerator: fixloop-test\nRoot-Is-Purelib: true\n"
            b"Tag: py3-none-any\n"
        ),
    }
    record = []
    for name, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{name},sha256={digest},{len(data)}")
    record.append(f"{dist}.dist-info/RECORD,,")
    files[f"{dist}.dist-info/RECORD"] = ("\n".join(record) + "\n").encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return f"{dist}-py3-none-any.whl", buffer.getvalue()


class PackageIndex:
    """A PEP 503 simple index with one project (PACKAGE) whose only file is a wheel holding
    `value`. `start()` binds a free port on 127.0.0.1; `url` is the index URL for pip's
    `--index-url`; `fetched` lists the paths requested; `on_fetch` is told each one as it comes."""

    def __init__(self, value: str, on_fetch: Callable[[str], None] | None = None) -> None:
        self.value = value
        self.fetched: list[str] = []
        self._on_fetch = on_fetch
        self._server: LoopbackHttpServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None, "start() the index first"
        return f"http://127.0.0.1:{self._server.port}/simple"

    def start(self) -> PackageIndex:
        wheel_name, wheel = build_wheel(self.value)
        digest = hashlib.sha256(wheel).hexdigest()
        index = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass  # pip's requests are recorded in `fetched`, not logged to stderr

            def do_GET(self) -> None:  # noqa: N802 (http.server API)
                index.fetched.append(self.path)
                if index._on_fetch is not None:
                    index._on_fetch(self.path)
                if self.path.rstrip("/") == f"/simple/{PACKAGE}":
                    link = f'<a href="/files/{wheel_name}#sha256={digest}">{wheel_name}</a>'
                    self._send(200, f"<html><body>{link}</body></html>".encode(), "text/html")
                elif self.path == f"/files/{wheel_name}":
                    self._send(200, wheel, "application/octet-stream")
                else:
                    self._send(404, b"not here", "text/plain")

            def _send(self, code: int, body: bytes, kind: str) -> None:
                self.send_response(code)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self._server = LoopbackHttpServer(Handler)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
