"""Line coverage of the target file per test, for fault localisation.

Tracing stops for code that has stopped revealing new lines (hot loops, functions called
thousands of times), which keeps a test that runs for seconds from running for minutes under the
tracer. Standard library only.
"""

from __future__ import annotations

import sys
from types import CodeType, FrameType
from typing import Any

# A function whose lines stopped growing over this many calls is no longer traced.
SATURATION_CALLS = 200
# Line events without a new line after which a frame stops reporting lines.
QUIET_LINES = 20000


class Coverage:
    def __init__(self, target: str) -> None:
        self.target = target
        self.lines: set[int] = set()
        self.calls: dict[CodeType, int] = {}
        self.seen_at: dict[CodeType, int] = {}
        self.saturated: set[CodeType] = set()
        self.quiet = 0

    def global_trace(self, frame: FrameType, event: str, arg: Any) -> Any:
        code = frame.f_code
        if code.co_filename != self.target or code in self.saturated:
            return None
        calls = self.calls.get(code, 0) + 1
        self.calls[code] = calls
        if calls % SATURATION_CALLS == 0:
            if self.seen_at.get(code) == len(self.lines):
                self.saturated.add(code)
                return None
            self.seen_at[code] = len(self.lines)
        self._add(frame.f_lineno)
        return self.local_trace

    def _add(self, line: int) -> None:
        if line not in self.lines:
            self.lines.add(line)
            self.quiet = 0

    def local_trace(self, frame: FrameType, event: str, arg: Any) -> Any:
        if event == "line":
            self._add(frame.f_lineno)
            self.quiet += 1
            if self.quiet > QUIET_LINES:
                frame.f_trace_lines = False
        return self.local_trace

    def start(self) -> None:
        self.lines = set()
        self.calls, self.seen_at, self.saturated, self.quiet = {}, {}, set(), 0
        sys.settrace(self.global_trace)

    def stop(self) -> list[int]:
        sys.settrace(None)
        return sorted(self.lines)
