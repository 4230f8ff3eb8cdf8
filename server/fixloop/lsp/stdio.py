"""Guard the JSON-RPC stream: stdout carries only protocol bytes, stdin reads are bounded.

`serve_stdio` hands pygls a private duplicate of the real stdout and then points file
descriptor 1 (and `sys.stdout`) at stderr, so a stray `print`, a library's chatter or an
inherited child process can never corrupt the stream. `BoundedReader` wraps stdin: a body with
an absurd Content-Length, or one cut off by the client going away, ends the read loop cleanly
(pygls treats an empty read as end of input) instead of allocating gigabytes or hanging.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Any, BinaryIO

log = logging.getLogger(__name__)

# A 50 MB document JSON-escaped can double in size; anything far beyond is not a real message.
MAX_MESSAGE_BYTES = 512 * 1024 * 1024
_MAX_HEADER_BYTES = 64 * 1024
_READ_CHUNK = 1024 * 1024


class BoundedReader:
    """The reader interface pygls' stdio loop uses (`readline`, `read`), with limits."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream

    def readline(self) -> bytes:
        return self._stream.readline(_MAX_HEADER_BYTES)

    def read(self, size: int) -> bytes:
        if size > MAX_MESSAGE_BYTES:
            log.error(
                "refusing a %d-byte message (limit %d); closing the connection",
                size,
                MAX_MESSAGE_BYTES,
            )
            return b""
        parts: list[bytes] = []
        remaining = size
        while remaining > 0:
            chunk = self._stream.read(min(remaining, _READ_CHUNK))
            if not chunk:
                log.error("input ended inside a message body; closing the connection")
                return b""
            parts.append(chunk)
            remaining -= len(chunk)
        return b"".join(parts)


def serve_stdio(server: Any) -> None:
    """Run `server` on stdin/stdout with the guards above; returns when the client is gone."""
    protocol_out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    sys.stdout.flush()
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    sys.stdout = sys.stderr
    stdin = os.fdopen(os.dup(sys.stdin.fileno()), "rb", buffering=0)
    server.start_io(BoundedReader(stdin), protocol_out)  # type: ignore[arg-type]
