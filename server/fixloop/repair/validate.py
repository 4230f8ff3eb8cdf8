"""Validating candidates: guards, a warm check side by side, the fresh proof, the transcript.

`CandidateValidator.validate_batch` takes whole-file candidates in order. Each is screened by the
guards (parsed, compared with the original) and for overfitting (`fixloop.repair.overfit`: it
compares with a value only the tests hold), then checked in a forked warm-worker child with the
previously failing tests first and stop-on-first-failure (all candidates of a batch at once, one
per warm worker). A run that caught the candidate cheating (see `fixloop.sandbox_worker.strict`)
is a "cheat" rejection, and a run where a test that ran on the original did not pass (or did not
run at all) is a failure. With the script oracle, a candidate that passes must also keep the
original's work (`fixloop.repair.footprint`). A candidate that passes everything is proven by a
fresh full-oracle run when it would rank before the winner so far
(`SearchState.outranks_winner`); one that would not is kept unproven as a runner-up, for the
comparison of the leading candidates. A candidate that changes one of the program's checks
(allowed with tests only) is proven like any other but only kept as the fallback: it never ends
the search, and once one is kept, later ones are not proven. The outcome equals validating them
one by one, so the search stays deterministic. Every verdict goes to the transcript; proven
candidates, runners-up and partial progress go to the `SearchState`.
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
from fixloop.repair.engine import Candidate, CandidateVerdict, PartialCandidate
from fixloop.repair.failure import failure_of
from fixloop.repair.footprint import ScriptReference, script_reference, skipped_work
from fixloop.repair.overfit import OverfitCheck, read_test_sources
from fixloop.repair.runs import WarmRuns
from fixloop.repair.search import SearchState
from fixloop.repair.shape import EditShape, ShapeJudge
from fixloop.repair.verify import FEEDBACK_TAIL, ProofCheck, Verifier
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
        suspicious: Sequence[tuple[int, float]] = (),
    ) -> None:
        self.prepared = prepared
        self.baseline = baseline
        self.runs = runs
        self.verifier = verifier
        self.guards = guards
        self.state = state
        self.transcript = transcript
        self.script: ScriptReference | None = None
        if prepared.oracle.kind == "script":
            self.script = script_reference(baseline.fresh, baseline.observed, prepared.path)
        self.overfit: OverfitCheck | None = None
        if prepared.oracle.kind == "tests":
            tests = read_test_sources(prepared.root, prepared.oracle.tests)
            self.overfit = OverfitCheck(prepared.source, tests)
        self.shapes = ShapeJudge(
            prepared.source,
            {line: rank for rank, (line, _) in enumerate(suspicious)},
            self.script.completed_lines() if self.script else None,
        )

    async def validate_batch(self, batch: Sequence[Candidate]) -> list[CandidateVerdict]:
        """Verdicts for `batch`, in order; proves, in order, the candidates that pass and would
        rank before the winner so far."""
        started = time.monotonic()
        verdicts: list[CandidateVerdict | None] = []
        runnable: list[int] = []
        changes: dict[int, str] = {}
        for index, (text, _) in enumerate(batch):
            verdict, changes[index] = self._screen(text)
            verdicts.append(verdict)
            if verdict is None:
                runnable.append(index)
        # Each candidate's position in the search: every decision below depends on it and on
        # the candidates before it, never on which warm worker answered first.
        first = self.state.tried + 1
        positions = {index: first + k for k, index in enumerate(runnable)}
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
            verdicts[index] = await self._settle(text, origin, changes[index], positions[index])
        final = [
            v if v is not None else CandidateVerdict(False, "fails", "not run") for v in verdicts
        ]
        for index, ((text, origin), verdict) in enumerate(zip(batch, final, strict=True)):
            self._record(origin, text, verdict, started, changes.get(index, ""))
        return final

    def _screen(self, text: str) -> tuple[CandidateVerdict | None, str]:
        """The refusal of a candidate before it runs (guards, overfitting), or None; and the
        program check it changes ("" when none)."""
        screening = self.guards.screen(text)
        if screening.outcome != "run":
            return CandidateVerdict(False, screening.outcome, screening.reason), ""
        overfits = self.overfit.screen(text) if self.overfit is not None else None
        if overfits:
            return CandidateVerdict(False, "overfits", overfits), ""
        return None, screening.changes_check

    async def _settle(
        self, text: str, origin: str, changes_check: str, position: int
    ) -> CandidateVerdict:
        """A candidate that passed its check: proven, kept as a runner-up, or not needed."""
        if self.state.closed_for(position):
            return CandidateVerdict(False, "not needed", "an earlier candidate was verified")
        if changes_check and self.state.fallback is not None:
            return CandidateVerdict(
                False, "not needed", "a candidate that changes a check is already the fallback"
            )
        shape = self.shapes.shape(text)
        if not self.state.outranks_winner(shape, changes_check, found=position):
            self.state.note_runner_up(text, origin, shape, changes_check, found=position)
            return CandidateVerdict(
                False, "not needed", "passes, but ranks after the candidate already verified"
            )
        return await self._prove(text, origin, shape, changes_check, position)

    async def prove_runner_up(
        self, text: str, origin: str, shape: EditShape, changes_check: str = "", found: int = 0
    ) -> bool:
        """Prove a runner-up the comparison of the leaders put first; True when it is proven."""
        proved = await self._prove(text, origin, shape, changes_check, found or None)
        self._record(origin, text, proved, time.monotonic(), changes_check)
        return any(p.text == text for p in self.state.passing)

    async def _prove(
        self,
        text: str,
        origin: str,
        shape: EditShape,
        changes_check: str,
        found: int | None = None,
    ) -> CandidateVerdict:
        """The fresh proof; a proven candidate joins the passing ones (as the fallback when it
        changes a check, and then its verdict says so rather than "verified")."""
        proved, after = await self.verifier.prove(
            text, must_pass=self.baseline.fresh.ran(), check=self._proof_check(text)
        )
        if not (proved.verified and after is not None):
            return proved
        self.state.accept(text, origin, after, shape, changes_check=changes_check, found=found)
        if not changes_check:
            return proved
        return CandidateVerdict(
            False,
            "changes check",
            f"passes every test but changes {changes_check}; it is kept only as a fallback "
            "while the search looks for a fix that leaves the program's checks alone",
        )

    def _proof_check(self, text: str) -> ProofCheck | None:
        """What the fresh proof must show beyond passing (the script oracle's kept work)."""
        reference = self.script
        if reference is None:
            return None

        def check(proof: Observation) -> CandidateVerdict | None:
            reason = skipped_work(reference, self.prepared.source, text, proof)
            return CandidateVerdict(False, "skips work", f"fresh run: {reason}") if reason else None

        return check

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
            footprint=self.script is not None,
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
        if self.script is not None:
            skipped = skipped_work(self.script, self.prepared.source, text, observation)
            if skipped:
                return CandidateVerdict(False, "skips work", skipped)
        return CandidateVerdict(False, "passed", "passes every test in the warm worker")

    def _note_partial(
        self, text: str, origin: str, observation: Observation, broken: frozenset[str]
    ) -> None:
        fixed = observation.passed & self.baseline.observed.failed
        if fixed and not broken:
            still = observation.failed & self.baseline.observed.failed
            self.state.note_partial(PartialCandidate(text, origin, fixed, still))

    async def confirm_partial(self, partial: PartialCandidate) -> PartialCandidate | None:
        """`partial` re-run on every test (its warm check stopped at the first failure): with
        what still fails on it, or None when it breaks a test or fixes nothing after all."""
        limits = self.baseline.limits
        observation = await self.runs.observe(
            partial.text,
            order=self.baseline.test_order(),
            timeout=limits.child_seconds,
            test_timeout=limits.test_seconds,
        )
        original = self.baseline.observed
        fixed = observation.passed & original.failed
        still = observation.failed & original.failed
        if observation.timed_out or observation.failed - original.failed or not fixed or not still:
            return None
        failure = failure_of(observation, self.prepared.oracle.target)
        return PartialCandidate(partial.text, partial.origin, fixed, still, observation, failure)

    def _record(
        self,
        origin: str,
        text: str,
        verdict: CandidateVerdict,
        started: float,
        changes_check: str = "",
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
