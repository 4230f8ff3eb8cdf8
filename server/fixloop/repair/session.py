"""What engines see of a repair loop: `LoopSession`, and the `Failure` drawn from the baseline.

`LoopSession` implements the `RepairSession` contract (`try_replacement` of the target range)
and adds what the offline engine needs: whole-file candidates (`try_source`), batches validated
side by side on the warm workers (`try_batch`, `parallelism`), the fault-localisation ranking
(`suspicious`) and the baseline observation. Duplicates are dropped here, before any guard or
sandbox work; everything else is the `Validator`'s job.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from fixloop.fixes import ProgressCallback
from fixloop.guards import GuardSet
from fixloop.oracle import Observation
from fixloop.patch import line_count, range_text, replace_lines
from fixloop.repair.engine import CandidateVerdict, Failure
from fixloop.spans import LineRange

if TYPE_CHECKING:
    from fixloop.repair.validate import Validator


def failure_of(observation: Observation, target: str) -> Failure:
    failing = [o for o in observation.outcomes if o.outcome in ("failed", "timeout")]
    error = observation.first_error()
    error_line = None
    if error is not None:
        for frame in reversed(error.frames):
            if frame.file == target:
                error_line = frame.line
                break
    return Failure(
        summary=observation.summary(),
        output=observation.report_text(),
        error_type=error.type if error else None,
        error_message=error.message if error else None,
        error_line=error_line,
        failing_tests=tuple(o.id for o in failing if o.id not in ("script", "command")),
    )


class LoopSession:
    """The `RepairSession` the engines see, plus whole-file candidates for the offline engine."""

    def __init__(
        self,
        validator: Validator,
        target: LineRange,
        failure: Failure,
        suspicious: list[tuple[int, float]],
        guards: GuardSet,
        progress: ProgressCallback | None,
    ) -> None:
        prepared = validator.prepared
        self.validator = validator
        self.path = Path(prepared.path)
        self.root = prepared.root
        self.source = prepared.source
        self.target = target
        self.failure = failure
        self.oracle_description = prepared.oracle.describe()
        self.suspicious = suspicious
        self.guards = guards
        self.baseline = validator.baseline
        self.explicit_range = prepared.explicit_range is not None
        self._progress = progress
        self._seen: set[str] = set()
        self._rejected: list[tuple[str, CandidateVerdict]] = []

    @property
    def solved(self) -> bool:
        return self.validator.winner is not None

    def remaining_seconds(self) -> float:
        deadline = self.validator.deadline
        if self.validator.engine_deadline is not None:
            deadline = min(deadline, self.validator.engine_deadline)
        return max(0.0, deadline - time.monotonic())

    def rejected(self) -> Sequence[tuple[str, CandidateVerdict]]:
        return list(self._rejected)

    def progress(self, message: str) -> None:
        if self._progress is not None:
            try:
                self._progress(message)
            except Exception:  # a broken progress sink must not stop the loop
                pass

    @property
    def tried(self) -> int:
        return self.validator.tried

    async def try_replacement(self, new_text: str, *, origin: str) -> CandidateVerdict:
        if len(new_text) > 200 * max(1, len(range_text(self.source, self.target))) + 100_000:
            return CandidateVerdict(
                False, "guard", "refused: replacement is far larger than the range"
            )
        text = replace_lines(self.source, self.target, new_text)
        verdict = await self.try_source(text, origin=origin)
        if not verdict.verified and verdict.outcome != "duplicate":
            self._rejected.append((new_text, verdict))
        return verdict

    @property
    def parallelism(self) -> int:
        return self.validator.parallelism

    async def try_batch(self, candidates: Sequence[tuple[str, str]]) -> list[CandidateVerdict]:
        """Whole-file candidates (text, origin), validated side by side, verdicts in order."""
        fresh: list[tuple[str, str]] = []
        for text, origin in candidates:
            if self._first_sight(text):
                fresh.append((text, origin))
        if self.solved or self.remaining_seconds() <= 0 or not fresh:
            return []
        await asyncio.sleep(0)  # let cancellation in between batches
        return await self.validator.validate_batch(fresh, self.guards)

    async def try_source(self, text: str, *, origin: str) -> CandidateVerdict:
        if self.solved:
            return CandidateVerdict(False, "solved", "already solved")
        if self.remaining_seconds() <= 0:
            return CandidateVerdict(False, "budget", "the time budget is spent")
        if not self._first_sight(text):
            return CandidateVerdict(False, "duplicate", "already tried")
        await asyncio.sleep(0)  # let cancellation in between candidates
        return await self.validator.validate(text, origin, self.guards)

    def _first_sight(self, text: str) -> bool:
        """True (and remembered) the first time `text` comes; False for repeats and the original."""
        digest = hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()
        if digest in self._seen or text == self.source:
            return False
        self._seen.add(digest)
        return True

    def line_count(self) -> int:
        return line_count(self.source)
