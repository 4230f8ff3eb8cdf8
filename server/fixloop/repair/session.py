"""What engines see of a repair loop: `LoopSession`, the one implementation of `RepairSession`.

`open_session` turns a reproduced failure into a session: it chooses where edits may go (the
user's range, or the functions the failure points at), ranks the suspicious lines, and builds
the guards. `LoopSession` itself is thin: it checks the budget and drops repeats, then hands
candidates to the `CandidateValidator`; counts, rejections and the winner live in the
`SearchState`, deadlines in the `Budget`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path

from fixloop.fixes import PreparedRequest, ProgressCallback
from fixloop.guards import GuardSet
from fixloop.observation import Observation
from fixloop.patch import range_text, replace_lines
from fixloop.repair.baseline import Baseline
from fixloop.repair.budget import Budget
from fixloop.repair.checker_failure import checker_failure, checker_target
from fixloop.repair.engine import Candidate, CandidateVerdict, Failure, PartialCandidate
from fixloop.repair.failure import failure_of
from fixloop.repair.localise import rank_lines
from fixloop.repair.runs import WarmRuns
from fixloop.repair.search import SearchState
from fixloop.repair.target import choose_target
from fixloop.repair.validate import CandidateValidator
from fixloop.repair.verify import Verifier
from fixloop.spans import LineRange
from fixloop.transcript import Transcript

# A replacement far larger than the range it replaces is refused before anything else.
MAX_GROWTH = 200
MAX_EXTRA_CHARS = 100_000


class LoopSession:
    """The `RepairSession` the engines see."""

    def __init__(
        self,
        prepared: PreparedRequest,
        target: LineRange,
        failure: Failure,
        suspicious: list[tuple[int, float]],
        baseline: Observation,
        *,
        budget: Budget,
        state: SearchState,
        validator: CandidateValidator,
        runs: WarmRuns,
        transcript: Transcript,
        progress: ProgressCallback | None,
    ) -> None:
        self.path = Path(prepared.path)
        self.root = prepared.root
        self.source = prepared.source
        self.target = target
        self.failure = failure
        self.oracle_description = prepared.oracle.describe()
        self.explicit_range = prepared.explicit_range is not None
        self.suspicious: Sequence[tuple[int, float]] = suspicious
        self.baseline = baseline
        self._budget = budget
        self._state = state
        self.validator = validator
        self._runs = runs
        self._transcript = transcript
        self._progress = progress

    @property
    def solved(self) -> bool:
        return self._state.solved

    @property
    def tried(self) -> int:
        return self._state.tried

    @property
    def parallelism(self) -> int:
        return self._runs.parallelism

    def remaining_seconds(self) -> float:
        return self._budget.remaining_for_engine()

    def rejected(self) -> Sequence[tuple[str, CandidateVerdict]]:
        return self._state.rejected()

    def best_partial(self) -> PartialCandidate | None:
        return self._state.partials[0] if self._state.partials else None

    def progress(self, message: str) -> None:
        if self._progress is not None:
            try:
                self._progress(message)
            except Exception:  # a broken progress sink must not stop the loop
                pass

    def record(self, kind: str, **fields: object) -> None:
        self._transcript.write(kind, **fields)

    async def try_replacement(self, new_text: str, *, origin: str) -> CandidateVerdict:
        old_size = max(1, len(range_text(self.source, self.target)))
        if len(new_text) > MAX_GROWTH * old_size + MAX_EXTRA_CHARS:
            return CandidateVerdict(
                False, "guard", "refused: replacement is far larger than the range"
            )
        text = replace_lines(self.source, self.target, new_text)
        verdict = await self.try_source(text, origin=origin)
        if not verdict.verified and verdict.outcome != "duplicate":
            self._state.reject(new_text, verdict)
        return verdict

    async def try_batch(self, candidates: Sequence[Candidate]) -> list[CandidateVerdict]:
        fresh = [(text, origin) for text, origin in candidates if self._state.first_sight(text)]
        if self.solved or self.remaining_seconds() <= 0 or not fresh:
            return []
        await asyncio.sleep(0)  # let cancellation in between batches
        return await self.validator.validate_batch(fresh)

    async def partial_bases(self, limit: int) -> Sequence[PartialCandidate]:
        bases: list[PartialCandidate] = []
        for partial in list(self._state.partials):
            if len(bases) >= limit or self.solved or self.remaining_seconds() <= 0:
                break
            confirmed = await self.validator.confirm_partial(partial)
            if confirmed is not None:
                bases.append(confirmed)
        return bases

    async def try_source(self, text: str, *, origin: str) -> CandidateVerdict:
        if self.solved:
            return CandidateVerdict(False, "solved", "already solved")
        if self.remaining_seconds() <= 0:
            return CandidateVerdict(False, "budget", "the time budget is spent")
        if not self._state.first_sight(text):
            return CandidateVerdict(False, "duplicate", "already tried")
        await asyncio.sleep(0)  # let cancellation in between candidates
        return (await self.validator.validate_batch([(text, origin)]))[0]


def open_session(
    prepared: PreparedRequest,
    baseline: Baseline,
    *,
    budget: Budget,
    state: SearchState,
    runs: WarmRuns,
    verifier: Verifier,
    transcript: Transcript,
    progress: ProgressCallback | None,
) -> LoopSession:
    """The session for a reproduced failure: target range, suspicious lines, guards."""
    observed, target_file = baseline.observed, prepared.oracle.target
    checker = verifier.checker
    if checker is not None and baseline.fresh.ok:
        # Only the checker fails: its diagnostic is the failure, its line the suspect.
        line = checker.required.line
        target, inferred = checker_target(prepared.source, line, prepared.explicit_range)
        tests = prepared.oracle.kind == "tests"
        failure = checker_failure(checker, baseline.fresh, tests=tests)
        suspicious = [(line, 1.0)] if target.start <= line <= target.end else []
    else:
        target, inferred = choose_target(
            prepared.source, observed, target_file, prepared.explicit_range
        )
        failure = failure_of(observed, target_file, baseline.fresh)
        suspicious = rank_lines(observed, target_file, range(target.start, target.end + 1))
    failing_lines = set()
    if failure.error_line and target.start <= failure.error_line <= target.end:
        failing_lines = {failure.error_line}
    guards = GuardSet(
        prepared.source,
        target,
        failing_lines=failing_lines,
        allow_header_imports=inferred,
        failing_error=failure.error_type,
        test_files=prepared.oracle.tests,
        # Only tests back a change to the program's own asserts and raise-guards.
        checks_are_spec=prepared.oracle.kind != "tests",
    )
    transcript.write(
        "target",
        start=target.start,
        end=target.end,
        inferred=inferred,
        suspicious=suspicious[:20],
        failure=failure.summary,
    )
    validator = CandidateValidator(
        prepared, baseline, runs, verifier, guards, state, transcript, suspicious
    )
    return LoopSession(
        prepared,
        target,
        failure,
        suspicious,
        observed,
        budget=budget,
        state=state,
        validator=validator,
        runs=runs,
        transcript=transcript,
        progress=progress,
    )
