"""The request and result of one repair loop: `FixRequest` in, `FixResult` out.

These are the values the CLI (`fixloop fix`), the language server (`fixloop.fix`) and the
benchmarks exchange with `fixloop.loop.run_fix`. They are plain frozen dataclasses so that every
adapter can translate them without knowing how the loop works.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from fixloop.settings import Settings
from fixloop.spans import LineRange


@dataclass(frozen=True)
class FixRequest:
    """Fix `path` (relative to `root`, or absolute inside it).

    `source` overrides the file's text on disk (an unsaved editor buffer). `tests` are pytest
    files or node ids; `command` is a shell command that must exit 0; with neither, the file
    itself must run without an uncaught exception.
    """

    path: Path
    root: Path
    settings: Settings = field(default_factory=Settings)
    source: str | None = None
    line_range: LineRange | None = None
    tests: tuple[str, ...] = ()
    command: str | None = None
    allow_shell: bool = False
    # With neither tests nor a command: prefer the project's own tests of this module (or the
    # configured test command) as the oracle, falling back to running the file when they pass.
    # Editors set this, because "runs without an exception" alone accepts fixes that merely
    # silence a crash.
    discover_tests: bool = False


@dataclass(frozen=True)
class OracleSide:
    """The oracle's verdict on one version of the program."""

    status: str  # RunResult status word, or "passed"/"failed" for tests
    passed: int
    failed: int
    summary: str = ""  # "ZeroDivisionError" / "2 failing" / "exit 0" / "5/5 tests pass"


@dataclass(frozen=True)
class Proof:
    command: str
    before: OracleSide
    after: OracleSide

    def short(self) -> str:
        """E.g. "ZeroDivisionError -> exit 0" or "2 failing -> 5/5 tests pass"."""
        return f"{self.before.summary} -> {self.after.summary}"


@dataclass(frozen=True)
class FixResult:
    verified: bool
    engine: str
    candidates_tried: int
    duration_ms: int
    original: str
    fixed: str | None  # the whole new text of the file when verified
    diff: str  # unified diff a/FILE b/FILE, "" when not verified
    proof: Proof | None
    reason: str | None  # why nothing was found, when nothing was
    transcript: str | None  # path of the JSON-lines transcript
    summary: str = ""  # one line describing the edit, e.g. "guard `len(xs) == 0`"
    nothing_to_fix: bool = False
    tokens: int = 0
    cost_usd: float = 0.0

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("original")
        data.pop("fixed")
        return data


# Progress callback: called with a short message once per candidate batch or model turn.
ProgressCallback = Callable[[str], None]
