"""The contract between the repair loop and its engines (offline rules/mutation, model).

An engine receives a `RepairSession` from the loop and proposes candidates through it:
`try_replacement` for new text of the target range, `try_source` for a whole new file, or
`try_batch` for several whole-file candidates that the loop validates side by side
(`parallelism` says how many fit at once). The loop applies the guards, runs the oracle in the
sandbox, records the attempt in the transcript and returns a `CandidateVerdict`. For a second
round of edits, `best_partial` says which candidate so far turned some failing tests green
without breaking any, and `partial_bases` gives such candidates re-run on every test, each with
what still fails on it, so an engine can search again on top of one. The engine
stops when `session.solved` is true, when `session.remaining_seconds()` runs out, or when it has
nothing left to propose, and returns an `EngineReport` (tokens, cost, why it stopped, notes).
A configuration problem that the user must fix raises `EngineConfigError`. Engines never decide
that something is verified, never write files, never import the loop, and never see the user's
environment or secrets. Everything an engine uses is declared here; nothing is probed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol

from fixloop.observation import Observation, TestOutcome
from fixloop.spans import LineRange

# The loop's verdict on one candidate. "passed" is internal: it passed the warm check and
# waits for its proof; engines see "verified" or one of the rejections. "changes check": proven,
# but it changes one of the program's asserts or raise-guards, so it is only kept as a fallback.
# "cheat": a run-time check caught it fooling the tests (an always-true `__eq__`, a test module
# replaced, the test files changed). "checker": passes the tests, but the checker the request
# names still reports its diagnostic (or a new error) on it.
VerdictOutcome = Literal[
    "verified",
    "passed",
    "changes check",
    "cheat",
    "guard",
    "skips work",
    "checker",
    "overfits",
    "syntax",
    "fails",
    "regression",
    "timeout",
    "duplicate",
    "budget",
    "solved",
    "not needed",
]


class EngineConfigError(Exception):
    """The engine cannot work as configured (no model, a rejected key): the user must act.
    The loop turns it into a usage error when raised while engines are built, and into the
    reason of the result when raised during a search."""


@dataclass(frozen=True)
class Failure:
    """What the oracle saw on the original program, in a form an engine (or a model) can read."""

    summary: str  # e.g. "ZeroDivisionError: division by zero" or "2 failing tests"
    output: str  # traceback / pytest output, already truncated head-and-tail
    error_type: str | None = None  # exception class name when there is one
    error_message: str | None = None
    error_line: int | None = None  # line in the target file, when the traceback points there
    failing_tests: tuple[str, ...] = ()
    # A bounded sample of the failing outcomes (a few cases of every failing test function), each
    # with what it looked like (`TestOutcome.detail`: pytest's explanation, printed output,
    # parametrize values, the target's locals) as the worker and the fresh pytest run saw it.
    tests: tuple[TestOutcome, ...] = ()
    # Set when the oracle passes and a checker's diagnostic is what a fix must clear, e.g.
    # "mypy [arg-type] at line 4: Argument 1 ..." (see repair.checker_failure).
    diagnostic: str | None = None


@dataclass(frozen=True)
class PartialCandidate:
    """A candidate that turned some failing tests green and broke none (not proven).

    `observation` and `failure` are there once the loop has re-run it on every test (see
    `RepairSession.partial_bases`): what still fails on it, for a second round of edits.
    """

    text: str
    origin: str
    fixed_tests: frozenset[str]
    still_failing: frozenset[str]
    observation: Observation | None = None
    failure: Failure | None = None


@dataclass(frozen=True)
class CandidateVerdict:
    """The loop's answer for one candidate."""

    verified: bool
    outcome: VerdictOutcome
    reason: str  # one line a human or a model can act on
    output: str = ""  # truncated oracle output for feedback


@dataclass(frozen=True)
class EngineReport:
    """What an engine tells the loop after its search."""

    tokens: int = 0
    cost_usd: float = 0.0
    stop_reason: str = ""  # why the search ended without a fix, when it says
    notes: tuple[str, ...] = field(default_factory=tuple)


# (whole new text of the target file, origin) as given to `try_batch`.
Candidate = tuple[str, str]


class RepairSession(Protocol):
    """What the loop offers an engine. Implemented by `fixloop.repair.session.LoopSession`."""

    path: Path  # the target file, relative to root
    root: Path
    source: str  # full original text of the target file
    target: LineRange  # where edits are allowed
    failure: Failure
    oracle_description: str  # e.g. "pytest tests/test_stats.py" or "python stats.py"
    explicit_range: bool  # the user chose the range (no edits above it, e.g. new imports)
    suspicious: Sequence[tuple[int, float]]  # (line, score), most suspicious first
    baseline: Observation  # what the oracle saw on the original, test by test

    @property
    def solved(self) -> bool: ...

    @property
    def tried(self) -> int:
        """Candidates validated so far in this loop (by every engine)."""
        ...

    @property
    def parallelism(self) -> int:
        """How many candidates one `try_batch` call validates side by side."""
        ...

    def remaining_seconds(self) -> float: ...

    def rejected(self) -> Sequence[tuple[str, CandidateVerdict]]:
        """Earlier (replacement text, verdict) pairs that failed, oldest first."""
        ...

    def best_partial(self) -> PartialCandidate | None:
        """The candidate so far that fixed the most failing tests and broke none, if any."""
        ...

    async def try_replacement(self, new_text: str, *, origin: str) -> CandidateVerdict:
        """Validate `new_text` as the new content of lines `target.start..target.end`.

        `new_text` holds whole lines (a trailing newline is optional). `origin` names the rule,
        mutation or model turn that produced it, for the transcript.
        """
        ...

    async def try_source(self, text: str, *, origin: str) -> CandidateVerdict:
        """Validate `text` as the whole new content of the target file."""
        ...

    async def try_batch(self, candidates: Sequence[Candidate]) -> list[CandidateVerdict]:
        """Validate whole-file candidates side by side; verdicts in order, [] when the loop
        takes none (solved, out of time, or all seen before)."""
        ...

    async def partial_bases(self, limit: int) -> Sequence[PartialCandidate]:
        """Up to `limit` candidates that turned some failing tests green and broke none, best
        first, each re-run on every test (`observation`, `failure`: what still fails on it):
        the bases of a second round of edits. Empty when there are none, or no time."""
        ...

    def progress(self, message: str) -> None:
        """Report one step (a candidate batch, a model turn) to the UI."""
        ...

    def record(self, kind: str, **fields: object) -> None:
        """Add an entry of the engine's own (a model turn, usage) to the loop's transcript."""
        ...


class Engine(Protocol):
    """A candidate generator. `name` is reported in results ("offline", "llm")."""

    name: str

    async def search(self, session: RepairSession) -> EngineReport: ...
