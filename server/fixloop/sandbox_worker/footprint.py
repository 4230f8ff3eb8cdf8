"""What a script run did before it ended: the output it printed, and how often each line ran.

The script oracle holds a fix to more than "no exception": the fixed run must keep what the
original run did before it failed (see `fixloop.repair.footprint`). So a script run records its
standard output (file descriptor 1, so that prints, `os.write` and child processes all count;
the first `STDOUT_CAP` bytes are kept, the rest only counted, and the pipe is always drained so
a chatty program never blocks) and, when asked, how many times each line of the target ran (a
tracer that stops counting after `EVENT_BUDGET` line events and says so, so a long loop costs a
bounded amount). Standard library only.
"""

from __future__ import annotations

import os
import sys
import threading
from types import FrameType
from typing import Any

STDOUT_CAP = 64 * 1024
EVENT_BUDGET = 100_000
# How long the end of a run waits for output still in the pipe; a grandchild that keeps the
# pipe open must not hold the run.
DRAIN_SECONDS = 1.0


class StdoutCapture:
    """Point file descriptor 1 at a pipe for the length of a run and keep what comes through.

    With `tee`, everything is also passed on to what descriptor 1 was before, so a capture
    around this one (the failure context's) still sees the output, in order."""

    def __init__(self, *, tee: bool = False) -> None:
        self.kept = bytearray()
        self.total = 0
        self.tee = tee
        self._saved = -1
        self._reader: threading.Thread | None = None

    def _drain(self, fd: int, tee_fd: int) -> None:
        try:
            while True:
                chunk = os.read(fd, 65536)
                if not chunk:
                    break
                self.total += len(chunk)
                room = STDOUT_CAP - len(self.kept)
                if room > 0:
                    self.kept += chunk[:room]
                if tee_fd >= 0:
                    _write_all(tee_fd, chunk)
        finally:
            os.close(fd)
            if tee_fd >= 0:
                os.close(tee_fd)  # the reader's own copy: it may outlive stop()

    def start(self) -> None:
        _flush()
        read_fd, write_fd = os.pipe()
        self._saved = os.dup(1)
        os.dup2(write_fd, 1)
        os.close(write_fd)
        tee_fd = os.dup(self._saved) if self.tee else -1
        self._reader = threading.Thread(target=self._drain, args=(read_fd, tee_fd), daemon=True)
        self._reader.start()

    def stop(self) -> tuple[str, int]:
        """(the kept output as text, how many bytes were written in all)."""
        _flush()
        os.dup2(self._saved, 1)
        os.close(self._saved)
        if self._reader is not None:
            self._reader.join(DRAIN_SECONDS)
        return bytes(self.kept).decode("utf-8", errors="replace"), self.total


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    try:
        while view:
            view = view[os.write(fd, view) :]
    except OSError:
        pass  # the outer capture is gone: its copy of the output is lost, not this one


def _flush() -> None:
    for stream in {id(s): s for s in (sys.stdout, sys.__stdout__) if s is not None}.values():
        try:
            stream.flush()
        except (OSError, ValueError):
            pass  # closed or broken by the user's code: what it held is lost, not ours to fix


class LineCounter:
    """How many times each line of the target file ran, up to a budget of line events."""

    def __init__(self, target: str) -> None:
        self.target = target
        self.counts: dict[int, int] = {}
        self.events = 0
        self.complete = True

    def _global(self, frame: FrameType, event: str, arg: Any) -> Any:
        if frame.f_code.co_filename != self.target or not self.complete:
            return None
        return self._local

    def _local(self, frame: FrameType, event: str, arg: Any) -> Any:
        if event != "line":
            return self._local
        self.events += 1
        if self.events > EVENT_BUDGET:
            # Counting stops here; the counts are a lower bound from now on.
            self.complete = False
            sys.settrace(None)
            frame.f_trace_lines = False
            return None
        line = frame.f_lineno
        self.counts[line] = self.counts.get(line, 0) + 1
        return self._local

    def start(self) -> None:
        self.counts, self.events, self.complete = {}, 0, True
        sys.settrace(self._global)

    def stop(self) -> list[list[int]]:
        sys.settrace(None)
        return [[line, count] for line, count in sorted(self.counts.items())]
