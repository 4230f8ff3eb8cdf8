"""What a failure looked like, collected in the worker for the model: printed output, pytest's
explanation, the parametrize values of the failing case.

`OutputCapture` points descriptors 1 and 2 at a pipe for the length of a run (the baseline run
asks for it with `context`) and keeps only the first and last bytes of each test's output, so a
program that prints 50 MB costs a few kilobytes here. From pytest's own report objects (its structured
interface, not its text output) come the failing source lines and the `E` lines of assertion
introspection, and the output pytest captured for the test. Only the first `MAX_CONTEXT_TESTS`
failing tests of a run carry any of this, and at most `MAX_CASES_PER_TEST` cases of one
parametrized test, so that a second failing test is not crowded out by the first one's cases. Standard library only (pytest's objects are read
through their attributes).
"""

from __future__ import annotations

import os
import queue
import select
import sys
import threading
from collections.abc import Mapping
from typing import Any

from .errors import frame_locals, short_repr
from .protocol import ResultRecord

# Bytes of printed output kept: the start and the end of it.
OUTPUT_HEAD_BYTES = 4096
OUTPUT_TAIL_BYTES = 4096
# pytest's explanation of one failure (the last traceback entries), in characters.
DETAIL_CHARS = 4000
DETAIL_ENTRIES = 4
MAX_PARAMS = 12
# Failing tests per run that carry a failure's context (500 failing tests must not mean 500
# times the context on the worker's pipe).
MAX_CONTEXT_TESTS = 20
MAX_CASES_PER_TEST = 3
# After the program is done, how long the reader waits for bytes still in the pipe.
DRAIN_SECONDS = 0.2


def head_tail(text: str, head: int = OUTPUT_HEAD_BYTES, tail: int = OUTPUT_TAIL_BYTES) -> str:
    if len(text) <= head + tail:
        return text
    cut = len(text) - head - tail
    return f"{text[:head]}\n[... {cut} characters cut ...]\n{text[-tail:]}"


class _Segment:
    """The output of one test: its first and last bytes, and how many there were."""

    def __init__(self) -> None:
        self.head = bytearray()
        self.tail = bytearray()
        self.total = 0

    def keep(self, chunk: bytes) -> None:
        self.total += len(chunk)
        room = OUTPUT_HEAD_BYTES - len(self.head)
        if room > 0:
            self.head += chunk[:room]
            chunk = chunk[room:]
        if chunk:
            self.tail += chunk
            del self.tail[:-OUTPUT_TAIL_BYTES]

    def text(self) -> str:
        head = self.head.decode("utf-8", "replace")
        tail = self.tail.decode("utf-8", "replace")
        cut = self.total - len(self.head) - len(self.tail)
        return head + tail if cut <= 0 else f"{head}\n[... {cut} bytes cut ...]\n{tail}"


class OutputCapture:
    """Descriptors 1 and 2 into one pipe (the order a terminal shows) for a whole run, read by
    one thread that keeps the head and the tail of each test's output. `take()` ends one test's
    output: it writes a random marker into the pipe and waits until the reader reaches it, so
    what the test wrote before is all there. The program's own `sys.stdout` stays the object it
    was; only the descriptor under it changes, so a run behaves as it does without capture."""

    def __init__(self) -> None:
        self._marker = os.urandom(16).hex().encode()
        self._segment = _Segment()
        self._carry = b""
        self._finished: queue.SimpleQueue[_Segment] = queue.SimpleQueue()
        self._saved: list[int] = []
        self._read_fd = -1
        self._lost = False  # a marker never came back: the stream is no longer split
        self._done = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> OutputCapture:
        _flush()
        read_fd, write_fd = os.pipe()
        self._saved = [os.dup(1), os.dup(2)]
        os.dup2(write_fd, 1)
        os.dup2(write_fd, 2)
        os.close(write_fd)
        self._read_fd = read_fd
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()
        return self

    def _feed(self, chunk: bytes) -> None:
        data = self._carry + chunk
        while (at := data.find(self._marker)) >= 0:
            self._segment.keep(data[:at])
            self._finished.put(self._segment)
            self._segment = _Segment()
            data = data[at + len(self._marker) :]
        # A marker may be split across two reads: hold back what could be its start.
        hold = min(len(data), len(self._marker) - 1)
        self._segment.keep(data[: len(data) - hold])
        self._carry = data[len(data) - hold :]

    def _read(self) -> None:
        while True:
            ready, _, _ = select.select([self._read_fd], [], [], 0.05)
            if not ready:
                if self._done.is_set():
                    return  # a grandchild may hold the pipe open: stop at the first lull
                continue
            chunk = os.read(self._read_fd, 65536)
            if not chunk:
                return
            self._feed(chunk)

    def take(self) -> str:
        """What was printed since the last `take` (or `start`)."""
        if self._lost:
            return ""
        _flush()
        os.write(1, self._marker)  # shorter than PIPE_BUF: written whole
        try:
            return self._finished.get(timeout=DRAIN_SECONDS).text()
        except queue.Empty:
            self._lost = True  # descriptor 1 was pointed elsewhere by the test
            return ""

    def stop(self) -> str:
        """Restore descriptors 1 and 2; what was printed since the last `take`."""
        _flush()
        for fd, saved in zip((1, 2), self._saved, strict=True):
            os.dup2(saved, fd)
            os.close(saved)
        self._done.set()
        if self._thread is not None:
            self._thread.join(DRAIN_SECONDS)
        os.close(self._read_fd)
        self._segment.keep(self._carry)
        return "" if self._lost else self._segment.text()


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # a closed or replaced stream has nothing of ours to flush
            pass


def param_values(values: Mapping[str, Any]) -> list[list[str]]:
    """(name, short repr) of a case's parametrize values."""
    return [[str(name), short_repr(value)] for name, value in list(values.items())[:MAX_PARAMS]]


def explanation(longrepr: Any) -> str:
    """pytest's account of a failure, from its report: per traceback entry (the last few), the
    location, the line marked `>` and the `E` lines (assertion introspection, the exception)."""
    entries = getattr(getattr(longrepr, "reprtraceback", None), "reprentries", None)
    if not entries:
        return head_tail(str(longrepr or ""), DETAIL_CHARS // 2, DETAIL_CHARS // 2)
    parts = []
    for entry in entries[-DETAIL_ENTRIES:]:
        location = getattr(entry, "reprfileloc", None)
        lines = [
            line for line in getattr(entry, "lines", []) if line.startswith((">", "E"))
        ] or list(getattr(entry, "lines", []))[-6:]
        if location is not None:
            parts.append(f"{location.path}:{location.lineno}")
        parts.extend(lines)
    return head_tail("\n".join(parts), DETAIL_CHARS // 4, DETAIL_CHARS * 3 // 4)


def captured(report: Any) -> str:
    """The output pytest captured for a test (stdout, stderr, log), titled as pytest titles it."""
    sections = [(title, text) for title, text in getattr(report, "sections", []) if text]
    if not sections:
        return ""
    text = "\n".join(f"--- {title} ---\n{body.rstrip()}" for title, body in sections)
    return head_tail(text)


class FailureContext:
    """Counts the failing tests of one run that got a context, up to `MAX_CONTEXT_TESTS` (and
    `MAX_CASES_PER_TEST` per test function)."""

    def __init__(self, target: str | None, *, full: bool) -> None:
        self.target = target  # absolute path of the target, for its frame's locals
        self.full = full  # the locals too (the baseline run)
        self.given = 0
        self.per_test: dict[str, int] = {}

    def wanted(self, node: str = "") -> bool:
        """Whether the failing test `node` (any test when empty) still gets a context."""
        if self.given >= MAX_CONTEXT_TESTS:
            return False
        return not node or self.per_test.get(node.partition("[")[0], 0) < MAX_CASES_PER_TEST

    def add(
        self,
        record: ResultRecord,
        *,
        tb: Any = None,
        output: str = "",
        params: Mapping[str, Any] | None = None,
        detail: str = "",
    ) -> None:
        """Put the context of one failing test into its record."""
        node = record["id"]
        if not self.wanted(node):
            return
        self.given += 1
        base = node.partition("[")[0]
        self.per_test[base] = self.per_test.get(base, 0) + 1
        if detail:
            record["detail"] = detail
        if params:
            record["params"] = param_values(params)
        if output:
            record["output"] = output
        found = frame_locals(tb, self.target) if self.full else None
        if found is not None:
            record["locals"] = found

    def from_pytest(self, record: ResultRecord, item: Any, call: Any, report: Any) -> None:
        """The context of a failing pytest report (with its item and call, from the hook)."""
        excinfo = getattr(call, "excinfo", None)
        callspec = getattr(item, "callspec", None)
        self.add(
            record,
            tb=getattr(excinfo, "tb", None),
            output=captured(report),
            params=getattr(callspec, "params", None),
            detail=explanation(report.longrepr),
        )
