"""Guard the JSON-RPC stream: stdout carries only protocol bytes, and stdin framing resyncs.

`serve_stdio` hands pygls a private duplicate of the real stdout and then points file
descriptor 1 (and `sys.stdout`) at stderr, so a stray `print`, a library's chatter or an
inherited child process can never corrupt the stream.

On stdin, `FrameReader` splits the raw bytes into message bodies itself and pygls only ever
sees well-formed frames (`CanonicalReader`). pygls' own loop trusts the `Content-Length`: one
wrong header left the server running and silent forever, every later message glued to the
garbage before it. Every framing error is logged to stderr and the reader resyncs: a header
block is only taken where `Content-Length:` (or `Content-Type:`) starts, and such a header
line cannot occur inside a valid JSON body (raw CR/LF are not allowed in JSON strings), so the
next valid header is always a safe place to start again. Per case:
- not a number, negative, missing, zero, or a header line that is not a header: the block is
  dropped and so is what follows it, up to the next header;
- absurd (over `MAX_MESSAGE_BYTES`): never buffered; dropped like the above;
- too short: the declared bytes go to pygls, which answers -32700 (id null); the rest is
  skipped up to the next header;
- too long: the body ends where the next message's header begins inside it, or, when the client
  sends nothing more, after `STALL_SECONDS` without a byte; what arrived goes to pygls (handled
  when it is a whole JSON message, else answered -32700), so the client gets an answer.
End of input ends the server cleanly (exit 0: the client is gone). A failure to read stdin
itself is logged and ends the server with exit 1, so a client restarts it.
"""

from __future__ import annotations

import logging
import os
import re
import select
import sys
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

# A 50 MB document JSON-escaped can double in size; anything far beyond is not a real message.
MAX_MESSAGE_BYTES = 512 * 1024 * 1024
# A body that stops arriving for this long is taken as complete with what came (too long a
# Content-Length): a client writes one message without pausing, so this only ends broken ones.
STALL_SECONDS = 3.0
_MAX_HEADER_BYTES = 64 * 1024
_READ_CHUNK = 1024 * 1024
_HEADER_START = re.compile(rb"Content-(?:Length|Type)[ \t]*:", re.IGNORECASE)
# A complete header line of the next message: impossible inside a JSON body.
_NEXT_MESSAGE = re.compile(
    rb"Content-(?:Length[ \t]*:[ \t]*\d+|Type[ \t]*:[^\r\n]*)\r\n", re.IGNORECASE
)
_HEADER_LINE = re.compile(rb"([A-Za-z][A-Za-z0-9-]*)[ \t]*:[ \t]*(.*?)[ \t]*")
_LONGEST_HEADER_NAME = len(b"Content-Length:") + 8  # kept when junk is dropped: it may start one


@dataclass(frozen=True)
class HeaderVerdict:
    """What a header block declares: a usable length, or what is wrong with it."""

    length: int | None
    problem: str = ""
    # Every line is a header, only a value is wrong: the whole block goes. Otherwise junk may
    # sit before a real header on its first line, so the search starts again one byte on.
    well_formed: bool = True


def read_header(block: bytes) -> HeaderVerdict:
    """The Content-Length a header block declares, or what is wrong with it."""
    lengths = set()
    for line in block.split(b"\r\n"):
        match = _HEADER_LINE.fullmatch(line)
        if match is None:
            return HeaderVerdict(None, f"not a header line: {line[:80]!r}", well_formed=False)
        if match.group(1).lower() == b"content-length":
            value = match.group(2)
            if not value.isdigit():
                return HeaderVerdict(None, f"Content-Length is not a number: {value[:40]!r}")
            lengths.add(int(value))
    if len(lengths) != 1:
        return HeaderVerdict(None, f"not one Content-Length but {sorted(lengths) or 'none'}")
    (length,) = lengths
    if length == 0:
        return HeaderVerdict(None, "Content-Length 0: an empty message")
    if length > MAX_MESSAGE_BYTES:
        return HeaderVerdict(None, f"Content-Length {length} is over {MAX_MESSAGE_BYTES} bytes")
    return HeaderVerdict(length)


class FrameReader:
    """Message bodies from a raw file descriptor, resyncing after any framing error."""

    def __init__(self, fd: int, *, stall_seconds: float = STALL_SECONDS) -> None:
        self._fd = fd
        self._stall_seconds = stall_seconds
        self._buffer = bytearray()
        self._eof = False
        self._skipped = 0  # bytes dropped since the last good header
        self.failed = False  # reading stdin itself failed: exit non-zero

    def _fill(self, timeout: float | None) -> bool:
        """Read what is there (waiting up to `timeout`, forever when None); False when nothing
        came: end of input, a read error, or the timeout."""
        if self._eof:
            return False
        try:
            if not select.select([self._fd], [], [], timeout)[0]:
                return False
            chunk = os.read(self._fd, _READ_CHUNK)
        except InterruptedError:
            return True
        except OSError as exc:
            log.error("reading the client's messages failed: %s; stopping", exc)
            self.failed = self._eof = True
            return False
        if not chunk:
            self._eof = True
            return False
        self._buffer += chunk
        return True

    def next_body(self) -> bytes | None:
        """The next message body; None when the input has ended."""
        while True:
            length = self._next_header()
            if length is None:
                return None
            body = self._read_body(length)
            if body is None:
                return None
            if body:
                return body

    def _next_header(self) -> int | None:
        """Consume one good header block and return its length; junk before it is dropped."""
        reported = False
        while True:
            blank = len(self._buffer) - len(self._buffer.lstrip(b"\r\n"))
            if blank:  # line breaks between messages carry nothing: not worth a complaint
                del self._buffer[:blank]
            end = self._buffer.find(b"\r\n\r\n")
            if end < 0 or end > _MAX_HEADER_BYTES:
                if len(self._buffer) > _MAX_HEADER_BYTES:
                    reported = self._report(reported, "more header bytes than any real header")
                    self._resync()
                    continue
                if not self._fill(None):
                    if self._buffer.strip() or self._skipped:
                        log.error(
                            "input ended after %d bytes that were not a whole message",
                            self._skipped + len(self._buffer),
                        )
                    return None
                continue
            verdict = read_header(bytes(self._buffer[:end]))
            if verdict.length is not None:
                del self._buffer[: end + 4]
                if self._skipped:
                    log.error("resynced: skipped %d bytes of unusable input", self._skipped)
                    self._skipped = 0
                return verdict.length
            reported = self._report(reported, verdict.problem)
            self._resync(past=end + 4 if verdict.well_formed else 1)

    def _report(self, reported: bool, problem: str) -> bool:
        """Log the first problem of a run of junk (the rest is counted, not logged)."""
        if not reported:
            log.error("framing error: %s; skipping to the next header", problem)
        return True

    def _resync(self, past: int = 1) -> None:
        """Drop input up to the next place a header could start, `past` bytes on at least."""
        match = _HEADER_START.search(self._buffer, past)
        if match is not None:
            drop = match.start()
        else:  # keep a tail that may hold the beginning of a header name
            drop = max(past, len(self._buffer) - _LONGEST_HEADER_NAME)
        del self._buffer[:drop]
        self._skipped += drop

    def _read_body(self, length: int) -> bytes | None:
        """`length` bytes, unless the next message starts sooner or the input stalls."""
        scanned = 0
        while True:
            window = min(len(self._buffer), length)
            following = _NEXT_MESSAGE.search(self._buffer, max(0, scanned - 64), window)
            if following is not None:
                cut = following.start()
                log.error(
                    "framing error: a message declared %d bytes, but the next message began "
                    "after %d; taking those",
                    length,
                    cut,
                )
                return self._take(cut)
            if len(self._buffer) >= length:
                return self._take(length)
            scanned = window
            if not self._fill(self._stall_seconds):
                if self._eof:
                    log.error("input ended inside a message body; closing the connection")
                    return None
                log.error(
                    "framing error: a message declared %d bytes, but only %d came and then "
                    "nothing for %gs; taking those",
                    length,
                    len(self._buffer),
                    self._stall_seconds,
                )
                return self._take(len(self._buffer))

    def _take(self, size: int) -> bytes:
        body = bytes(self._buffer[:size])
        del self._buffer[:size]
        return body


class CanonicalReader:
    """The reader interface pygls' stdio loop uses (`readline`, `read`), fed whole frames."""

    def __init__(self, frames: FrameReader) -> None:
        self._frames = frames
        self._lines: list[bytes] = []
        self._body: bytes | None = None

    def readline(self) -> bytes:
        if not self._lines:
            body = self._frames.next_body()
            if body is None:
                return b""  # pygls ends its loop on an empty read
            self._body = body
            self._lines = [b"Content-Length: %d\r\n" % len(body), b"\r\n"]
        return self._lines.pop(0)

    def read(self, size: int) -> bytes:
        body, self._body = self._body, None
        if body is None or len(body) != size:  # only ever asked for the body just announced
            return b""
        return body


def serve_stdio(server: Any) -> int:
    """Run `server` on stdin/stdout with the guards above; returns the exit status once the
    client is gone (1 when stdin could not be read)."""
    protocol_out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    sys.stdout.flush()
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    sys.stdout = sys.stderr
    frames = FrameReader(os.dup(sys.stdin.fileno()))
    server.start_io(CanonicalReader(frames), protocol_out)  # type: ignore[arg-type]
    return 1 if frames.failed else 0
