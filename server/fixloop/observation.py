"""What the oracle saw on one version of the program: `Observation`, one `TestOutcome` per test.

A script run counts as one test called "script", a command as one called "command"; each
outcome has its status, message and, when asked, the lines of the target file it executed (for
fault localisation); a failing one may carry a `FailureDetail` (pytest's explanation, printed
output, parametrize values, the target's locals) for the model. A script run also brings its
`ScriptFootprint`: what it printed and, when asked, how often each line of the target ran.
Observations come from the warm worker for speed, from a fresh worker
process, from a fresh pytest process (the proof) or from a command's exit status; all of them
arrive here as the worker protocol's typed records (`fixloop.sandbox_worker.protocol`) or as a
sandbox `RunResult`. Nothing above the sandbox layer is imported.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, cast

from fixloop.sandbox.base import ErrorInfo, Frame, RunResult, Status
from fixloop.sandbox_worker.protocol import (
    FAILING_OUTCOMES,
    ErrorRecord,
    LocalsRecord,
    Outcome,
    ResultRecord,
    RunAnswer,
)
from fixloop.sandbox_worker.strict_eq import CHEAT_ERROR

# Where an observation came from: the worker's small runner, pytest inside the worker, the
# session collected once in the worker, or a fresh process (the proof, a command, the fallback
# without a warm worker).
ObservationSource = Literal["light", "pytest", "session", "fresh"]
SINGLE_RUN_IDS = ("script", "command")
# A record's context comes from the sandbox, where candidate code runs: whatever it holds, no
# more than this reaches the host's values (the worker's own bounds are far below).
RECORD_TEXT_CHARS = 20_000
RECORD_PAIRS = 50


@dataclass(frozen=True)
class FrameLocals:
    """The local variables of the deepest frame inside the target when a test failed."""

    file: str
    line: int
    function: str
    values: tuple[tuple[str, str], ...]  # (name, short repr)
    omitted: int = 0  # locals the worker left out


@dataclass(frozen=True)
class FailureDetail:
    """What a failing test looked like, beyond its one-line message."""

    explanation: str = ""  # pytest's failing lines and `E` lines
    output: str = ""  # printed before the failure, head and tail
    params: tuple[tuple[str, str], ...] = ()  # (name, short repr) of its parametrize values
    locals: FrameLocals | None = None

    def merged(self, other: FailureDetail | None) -> FailureDetail:
        """This detail with the parts it lacks taken from `other`."""
        if other is None:
            return self
        return FailureDetail(
            self.explanation or other.explanation,
            self.output or other.output,
            self.params or other.params,
            self.locals or other.locals,
        )


@dataclass(frozen=True)
class ScriptFootprint:
    """What a script run did before it ended (see `fixloop.sandbox_worker.footprint`)."""

    stdout: str  # the first bytes of its standard output, as text
    stdout_bytes: int  # how many bytes it wrote to standard output in all
    hits: tuple[tuple[int, int], ...] = ()  # (line of the target, times it ran), when counted
    hits_complete: bool = False  # the counts cover the whole run (counting has a budget)


@dataclass(frozen=True)
class TestOutcome:
    __test__ = False  # a value, not a pytest test class

    id: str
    outcome: Outcome
    message: str = ""
    line: int | None = None
    lines: tuple[int, ...] = ()
    error: ErrorInfo | None = None
    ms: int = 0
    detail: FailureDetail | None = None
    footprint: ScriptFootprint | None = None

    @property
    def failing(self) -> bool:
        return self.outcome in FAILING_OUTCOMES


@dataclass(frozen=True)
class Observation:
    outcomes: tuple[TestOutcome, ...]
    duration_ms: int = 0
    output: str = ""
    runner: ObservationSource = "light"

    @property
    def passed(self) -> frozenset[str]:
        return frozenset(o.id for o in self.outcomes if o.outcome == "passed")

    @property
    def failed(self) -> frozenset[str]:
        return frozenset(o.id for o in self.outcomes if o.failing)

    @property
    def ok(self) -> bool:
        return bool(self.outcomes) and not self.failed

    @property
    def timed_out(self) -> bool:
        return any(o.outcome == "timeout" for o in self.outcomes)

    def ran(self) -> frozenset[str]:
        """The tests that ran (passed, failed or timed out), without the runner's pseudo-tests
        (`<collect>`, `<pytest>`, `<worker>`): what a fix must make pass, every one of them."""
        return frozenset(
            o.id for o in self.outcomes if o.outcome != "skipped" and not o.id.startswith("<")
        )

    def cheat(self) -> TestOutcome | None:
        """The first outcome where a run-time check caught the code fooling the tests."""
        for outcome in self.outcomes:
            if outcome.failing and outcome.error is not None and outcome.error.type == CHEAT_ERROR:
                return outcome
        return None

    def first_error(self) -> ErrorInfo | None:
        for outcome in self.outcomes:
            if outcome.error is not None and outcome.outcome != "passed":
                return outcome.error
        return None

    def summary(self) -> str:
        failing = [o for o in self.outcomes if o.failing]
        if len(self.outcomes) == 1 and self.outcomes[0].id in SINGLE_RUN_IDS:
            single = self.outcomes[0]
            if single.outcome == "passed":
                return "exit 0"
            if single.outcome == "timeout":
                return "timeout"
            return single.error.type if single.error else (single.message or "failed")
        if not failing:
            return f"{len(self.passed)}/{len(self.outcomes)} tests pass"
        if self.timed_out:
            return f"{len(failing)} failing (timeout)"
        return f"{len(failing)} failing"

    def report_text(self, limit: int = 4000) -> str:
        """A human/model readable account of what failed, truncated head and tail."""
        parts = []
        for outcome in self.outcomes:
            if outcome.failing:
                where = f" (line {outcome.line})" if outcome.line else ""
                parts.append(f"{outcome.outcome.upper()} {outcome.id}{where}: {outcome.message}")
                if outcome.error and outcome.error.frames:
                    trail = " <- ".join(
                        f"{f.file}:{f.line} in {f.function}" for f in outcome.error.frames[::-1][:6]
                    )
                    parts.append(f"  at {trail}")
        text = "\n".join(parts) or self.output
        return text if len(text) <= limit else text[: limit // 2] + "\n...\n" + text[-limit // 2 :]


def _error_from_record(raw: ErrorRecord) -> ErrorInfo:
    frames = tuple(
        Frame(str(f[0]), int(f[1] or 0), str(f[2])) for f in raw.get("frames", []) if len(f) == 3
    )
    last = frames[-1] if frames else None
    return ErrorInfo(
        type=str(raw.get("type", "Error")),
        message=str(raw.get("message", "")),
        file=last.file if last else None,
        line=last.line if last else None,
        frames=frames,
    )


def _text(value: object) -> str:
    return value[:RECORD_TEXT_CHARS] if isinstance(value, str) else ""


def _pairs(value: object) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, list):
        return ()
    return tuple(
        (_text(pair[0]), _text(pair[1]))
        for pair in value[:RECORD_PAIRS]
        if isinstance(pair, list) and len(pair) == 2
    )


def _locals_from_record(raw: LocalsRecord | Any) -> FrameLocals | None:
    if not isinstance(raw, dict):
        return None
    line, omitted = raw.get("line"), raw.get("omitted")
    return FrameLocals(
        file=_text(raw.get("file")),
        line=line if isinstance(line, int) else 0,
        function=_text(raw.get("function")),
        values=_pairs(raw.get("values")),
        omitted=omitted if isinstance(omitted, int) else 0,
    )


def detail_from_record(record: ResultRecord) -> FailureDetail | None:
    """The failure's context in a worker record, checked and bounded; None when it has none."""
    detail = FailureDetail(
        explanation=_text(record.get("detail")),
        output=_text(record.get("output")),
        params=_pairs(record.get("params")),
        locals=_locals_from_record(record.get("locals")),
    )
    return detail if detail != FailureDetail() else None


def outcome_from_record(record: ResultRecord) -> TestOutcome:
    raw = record.get("error")
    error = _error_from_record(raw) if isinstance(raw, dict) else None
    message = str(record.get("message") or "")
    if not message and error is not None:
        message = f"{error.type}: {error.message}" if error.message else error.type
    if not message and record.get("exit"):
        message = f"exit status {record['exit']}"
    line = record.get("line")
    lines = record.get("lines")
    outcome = record.get("outcome")
    ms = record.get("ms")
    return TestOutcome(
        id=str(record.get("id")),
        outcome=outcome if outcome in ("passed", "failed", "timeout", "skipped") else "failed",
        message=message,
        line=line if isinstance(line, int) else None,
        lines=tuple(int(n) for n in lines) if isinstance(lines, list) else (),
        error=error,
        ms=ms if isinstance(ms, int) else 0,
        detail=detail_from_record(record),
        footprint=_footprint_from_record(record),
    )


def _footprint_from_record(record: ResultRecord) -> ScriptFootprint | None:
    stdout = record.get("stdout")
    if not isinstance(stdout, str):
        return None
    size = record.get("stdout_bytes")
    raw_hits = record.get("hits")
    hits: tuple[tuple[int, int], ...] = ()
    if isinstance(raw_hits, list):
        hits = tuple(
            (int(pair[0]), int(pair[1]))
            for pair in raw_hits
            if isinstance(pair, list) and len(pair) == 2
        )
    return ScriptFootprint(
        stdout,
        size if isinstance(size, int) else len(stdout.encode()),
        hits,
        isinstance(raw_hits, list) and record.get("hits_complete") is True,
    )


def outcomes_from_records(records: object) -> tuple[TestOutcome, ...]:
    if not isinstance(records, list):
        return ()
    return tuple(outcome_from_record(cast(ResultRecord, r)) for r in records if isinstance(r, dict))


def observation_from_answer(answer: RunAnswer) -> Observation:
    runner = answer.get("runner")
    source: ObservationSource = "light"
    if runner == "session" and answer.get("swap") != "full":
        source = "session"
    elif runner in ("pytest", "session"):
        source = "pytest"  # a session child that fell back ran a full pytest
    return Observation(
        outcomes=outcomes_from_records(answer.get("results")),
        duration_ms=int(answer.get("duration_ms") or 0),
        runner=source,
    )


def tampered_message(files: Sequence[str]) -> str:
    return f"the run changed the test files {', '.join(files)} (restored)"


def tampered_observation(files: Sequence[str], duration_ms: int = 0) -> Observation:
    """What a run that changed the test files saw, whatever its tests said: a cheat."""
    message = tampered_message(files)
    error = ErrorInfo(CHEAT_ERROR, message, None, None)
    return Observation(
        (TestOutcome("<tests>", "failed", message, error=error),), duration_ms, message, "fresh"
    )


def observation_from_run(result: RunResult, name: str = "command") -> Observation:
    """A one-outcome observation of a fresh process (a command or a fresh script run)."""
    if result.tampered:
        return tampered_observation(result.tampered, result.duration_ms)
    if result.status is Status.OK:
        outcome = TestOutcome(name, "passed")
    elif result.status is Status.TIMEOUT:
        outcome = TestOutcome(name, "timeout", "timed out")
    else:
        message = result.error.type if result.error else f"exit status {result.exit_code}"
        outcome = TestOutcome(name, "failed", message, error=result.error)
    tail = (result.stdout[-2000:] + "\n" + result.stderr[-2000:]).strip()
    return Observation((outcome,), result.duration_ms, tail, runner="fresh")
