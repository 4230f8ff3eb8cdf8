"""What ran of the target while pytest configured and collected the session, once per loop.

A candidate is swapped into a session whose conftest hooks, test modules and parametrize lists
were all evaluated with the original target. That is only faithful when the code the candidate
changes did not run then, so `CallWatch` watches the calls of configuration and collection (a
profile function: it coexists with the trace function a coverage plugin installs, which would
silently replace a second trace function) and notes, by the first line of each code object of
the target file: what the target's own import ran (a constant computed by a
function at import), what ran outside it (a conftest hook, a test module's import-time code,
a parametrize list built by calling the target), and which other project files the target's
import ran code of (import-time side effects on other modules). `complete` is false when some
other tool replaced the profile function before the watch stopped: then what ran is unknown.
Standard library only.
"""

from __future__ import annotations

import os
import sys
from types import FrameType
from typing import Any

from .errors import ROOT, relative

INSTALLED_PARTS = ("site-packages", "dist-packages")


def is_project_file(path: str) -> bool:
    """True for a file of the user's project (under the root, not an installed package)."""
    absolute = os.path.abspath(path)
    if not absolute.startswith(ROOT + os.sep):
        return False
    parts = absolute[len(ROOT) :].split(os.sep)
    return not any(part in INSTALLED_PARTS or part.startswith(".") for part in parts)


class CallWatch:
    def __init__(self, target: str) -> None:
        self.target = os.path.realpath(target)
        self.at_import: set[int] = set()  # first lines of target code the target's import ran
        self.elsewhere: dict[int, str] = {}  # first line -> the caller, outside that import
        self.side_effects: set[str] = set()  # other project files the target's import ran
        self.complete = False  # the watch saw every call until it stopped
        self._watching = False
        self._importing = 0
        self._files: dict[str, int] = {}  # co_filename -> 0 other, 1 target, 2 other project

    def _kind(self, filename: str) -> int:
        kind = self._files.get(filename)
        if kind is None:
            if filename.startswith("<"):
                kind = 0
            elif os.path.realpath(filename) == self.target:
                kind = 1
            else:
                kind = 2 if is_project_file(filename) else 0
            self._files[filename] = kind
        return kind

    def _on_event(self, frame: FrameType, event: str, arg: Any) -> None:
        if event != "call" and event != "return":
            return  # calls into C functions and their returns
        code = frame.f_code
        kind = self._kind(code.co_filename)
        if kind == 0:
            return
        if event == "return":
            if kind == 1 and code.co_name == "<module>":
                self._importing -= 1
            return
        if kind == 1:
            if code.co_name == "<module>":
                self._importing += 1
            elif self._importing:
                self.at_import.add(code.co_firstlineno)
            elif code.co_firstlineno not in self.elsewhere:
                caller = frame.f_back
                where = "?"
                if caller is not None:
                    where = f"{relative(caller.f_code.co_filename)}:{caller.f_code.co_name}"
                self.elsewhere[code.co_firstlineno] = where
        elif self._importing and code.co_name != "<module>":
            self.side_effects.add(relative(code.co_filename))

    def start(self) -> None:
        self._watching = True
        sys.setprofile(self._on_event)

    def stop(self) -> None:
        if self._watching:
            self._watching = False
            self.complete = sys.getprofile() == self._on_event
            sys.setprofile(None)
