"""Validating candidates: guards, a warm check side by side, the fresh proof, the transcript.

`CandidateValidator.validate_batch` takes whole-file candidates in order. Each is screened by the
guards (parsed, compared with the original), then checked in a forked warm-worker child with the
previously failing tests first and stop-on-first-failure (all candidates of a batch at once, one
per warm worker), and the first that passes everything is proven by a fresh full-oracle run. The
outcome equals validating them one by one, so the search stays deterministic. A run that caught
the candidate cheating (see `fixloop.sandbox_worker.strict`) is a "cheat" rejection, and a run
where a test that ran on the original did not pass (or did not run at all) is a failure. A
candidate that changes one of the program's checks (allowed with tests only) is proven like any
other but only kept as the fallback: it does not end the search, and once one is kept, later ones
are not proven. Every verdict goes to the transcript; proven candidates and partial progress go to
the `SearchState`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence

from fixloop.fixes import PreparedRequest
from fixloop.guards import GuardSet
from fixloop.observation import Observation
from fixloop.patch import changed_lines
from fixloop.repair.baseline import Baseline
from fixloop.repair.engine import Candidate, CandidateVerdict
from fixloop.repair.runs import WarmRuns
from fixloop.repair.search import PartialCandidate, SearchState
from fixloop.repair.verify import FEEDBACK_TAIL, Verifier
from fixloop.transcript import Transcript

TRANSCRIPT_SNIPPET = 2000


class CandidateValidator:
    def __init__(
        self,
        prepared: PreparedRequest,
        baseline: Baseline,
        runs: WarmRuns,
        verifier: Verifier,
        guards: GuardSet,
        state: SearchState,
        transcript: Transcript,
    ) -> None:
        self.prepared = prepared
        self.baseline = baseline
        self.runs = runs
        self.verifier = verifier
        self.guards = guards
        self.state = state
        self.transcript = transcript

    async def validate_batch(self, batch: Sequence[Candidate]) -> list[CandidateVerdict]:
        """Verdicts for `batch`, in order; proves the first candidate (in order) that passes."""
        started = time.monotonic()
        verdicts: list[CandidateVerdict | None] = []
        runnable: list[int] = []
        changes: dict[int, str] = {}
        for index, (text, _) in enumerate(batch):
            screening = self.guards.screen(text)
            if screening.outcome != "run":
                verdicts.append(CandidateVerdict(False, screening.outcome, screening.reason))
                continue
            verdicts.append(None)
            runnable.append(index)
            changes[index] = screening.changes_check
        self.state.count_tried(len(runnable))
        if self.prepared.oracle.kind == "command":
            checked = [await self.verifier.check_command(batch[i][0]) for i in runnable]
        else:
            checked = list(await asyncio.gather(*(self._warm_check(*batch[i]) for i in runnable)))
        for index, checked_verdict in zip(runnable, checked, strict=True):
            verdicts[index] = checked_verdict
        for index in runnable:
            verdict = verdicts[index]
            if verdict is None or verdict.outcome != "passed":
                continue
            text, origin = batch[index]
            verdicts[index] = await self._prove(text, origin, changes[index])
        final = [
            v if v is not None else CandidateVerdict(False, "fails", "not run") for v in verdicts
        ]
        for index, ((text, origin), verdict) in enumerate(zip(batch, final, strict=True)):
            self._record(origin, text, verdict, started, changes.get(index, ""))
        return final

    async def _prove(self, text: str, origin: str, changes_check: str) -> CandidateVerdict:
        """The fresh proof of a candidate that passed its check, unless none is needed."""
        if self.state.solved:
            return CandidateVerdict(False, "not needed", "an earlier candidate was verified")
        if changes_check and self.state.fallback is not None:
            return CandidateVerdict(
                False, "not needed", "a candidate that changes a check is already the fallback"
            )
        proved, after = await self.verifier.prove(text, must_pass=self.baseline.fresh.ran())
        if not (proved.verified and after is not None):
            return proved
        self.state.accept(text, origin, after, changes_check=changes_check)
        if not changes_check:
            return proved
        return CandidateVerdict(
            False,
            "changes check",
            f"passes every test but changes {changes_check}; it is kept only as a fallback "
            "while the search looks for a fix that leaves the program's checks alone",
        )

    async def _warm_check(self, text: str, origin: str) -> CandidateVerdict:
        """The candidate in a forked worker child: "passed" when it passes every test."""
        baseline = self.baseline.observed
        limits = self.baseline.limits
        observation = await self.runs.observe(
            text,
            stop_on_fail=True,
            order=self.baseline.test_order(),
            timeout=limits.child_seconds,
            test_timeout=limits.test_seconds,
        )
        caught = observation.cheat()
        if caught is not None:
            return CandidateVerdict(
                False,
                "cheat",
                f"caught at run time: {caught.message}",
                observation.report_text(FEEDBACK_TAIL),
            )
        if observation.timed_out:
            return CandidateVerdict(
                False, "timeout", "timed out", observation.report_text(FEEDBACK_TAIL)
            )
        still_failing = observation.failed & baseline.failed
        broken = observation.failed - baseline.failed
        if still_failing or (observation.failed and not broken):
            self._note_partial(text, origin, observation, broken)
            return CandidateVerdict(
                False, "fails", observation.summary(), observation.report_text(FEEDBACK_TAIL)
            )
        if broken:
            return CandidateVerdict(
                False,
                "regression",
                f"breaks {', '.join(sorted(broken)[:3])}",
                observation.report_text(FEEDBACK_TAIL),
            )
        missing = frozenset[str]()
        if observation.runner == baseline.runner:  # the same runner names tests the same way
            missing = baseline.ran() - observation.passed
        if not observation.outcomes or missing or len(observation.passed) < len(baseline.passed):
            reason = "not every test ran"
            if missing:
                reason += f" ({', '.join(sorted(missing)[:3])} did not)"
            return CandidateVerdict(False, "fails", reason, observation.report_text(FEEDBACK_TAIL))
        return CandidateVerdict(False, "passed", "passes every test in the warm worker")

    def _note_partial(
        self, text: str, origin: str, observation: Observation, broken: frozenset[str]
    ) -> None:
        fixed = observation.passed & self.baseline.observed.failed
        if fixed and not broken:
            still = observation.failed & self.baseline.observed.failed
            self.state.note_partial(PartialCandidate(text, origin, fixed, still))

    def _record(
        self,
        origin: str,
        text: str,
        verdict: CandidateVerdict,
        started: float,
        changes_check: str,
    ) -> None:
        span = changed_lines(self.prepared.source, text)
        snippet = ""
        if span:
            start, end = span
            snippet = "".join(text.splitlines(keepends=True)[start - 1 : end + 1])
        self.transcript.write(
            "candidate",
            origin=origin,
            outcome=verdict.outcome,
            reason=verdict.reason,
            lines=list(span) if span else None,
            text=snippet[:TRANSCRIPT_SNIPPET],
            ms=int((time.monotonic() - started) * 1000),
            **({"changes_check": changes_check} if changes_check else {}),
        )
