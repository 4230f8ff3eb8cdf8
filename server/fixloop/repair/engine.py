"""The contract between the repair loop and its engines (offline rules/mutation, model).

An engine receives a `RepairSession` from the loop and calls `session.try_replacement(...)` for
each candidate it wants validated; the loop applies the guards, runs the oracle in the sandbox,
records the attempt in the transcript and returns a `CandidateVerdict`. The engine stops when
`session.solved` is true, when `session.remaining_seconds()` runs out, or when it has nothing
left to propose. Engines never decide that something is verified, never write files, and never
see the user's environment or secrets.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from fixloop.spans import LineRange


@dataclass(frozen=True)
class Failure:
    """What the oracle saw on the original program, in a form an engine (or a model) can read."""

    summary: str  # e.g. "ZeroDivisionError: division by zero" or "2 failing tests"
    output: str  # traceback / pytest output, already truncated head-and-tail
    error_type: str | None = None  # exception class name when there is one
    error_message: str | None = None
    error_line: int | None = None  # line in the target file, when the traceback points there
    failing_tests: tuple[str, ...] = ()


@dataclass(frozen=True)
class CandidateVerdict:
    """The loop's answer for one candidate."""

    verified: bool
    # "verified", "guard", "syntax", "fails", "regression", "timeout", "duplicate", "budget", ...
    outcome: str
    reason: str  # one line a human or a model can act on
    output: str = ""  # truncated oracle output for feedback


class RepairSession(Protocol):
    """What the loop offers an engine. Implemented by `fixloop.loop`."""

    path: Path  # the target file, relative to root
    root: Path
    source: str  # full original text of the target file
    target: LineRange  # where edits are allowed
    failure: Failure
    oracle_description: str  # e.g. "pytest tests/test_stats.py" or "python stats.py"

    @property
    def solved(self) -> bool: ...

    def remaining_seconds(self) -> float: ...

    def rejected(self) -> Sequence[tuple[str, CandidateVerdict]]:
        """Earlier (replacement text, verdict) pairs that failed, oldest first."""
        ...

    async def try_replacement(self, new_text: str, *, origin: str) -> CandidateVerdict:
        """Validate `new_text` as the new content of lines `target.start..target.end`.

        `new_text` holds whole lines (a trailing newline is optional). `origin` names the rule,
        mutation or model turn that produced it, for the transcript.
        """
        ...

    def progress(self, message: str) -> None:
        """Report one step (a candidate batch, a model turn) to the UI."""
        ...


class Engine(Protocol):
    """A candidate generator. `name` is reported in results ("offline", "llm")."""

    name: str

    async def search(self, session: RepairSession) -> None: ...
