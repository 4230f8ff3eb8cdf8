"""Candidate validation for one repair loop: the baseline, the warm path, the fresh proof.

`Validator` owns the sandbox and the warm worker of one loop. `reproduce()` runs the full oracle
once in a fresh process (real pytest, the script, or the command) to see the failure and to
reject unusable oracles, then once more in the worker with line coverage for localisation.
Engines see it through `LoopSession` (`session.py`): each candidate is parsed, guarded, run in a
forked worker child with the previously failing tests first and stop-on-first-failure, and, if it
passes everything, proven by a fresh full-oracle run. Every verdict goes to the transcript.
"""

from __future__ import annotations

import ast
import asyncio
import os
import time
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from fixloop.fixes import OracleSide, ProgressCallback
from fixloop.guards import GuardSet
from fixloop.oracle import (
    Observation,
    OracleError,
    TestOutcome,
    command_spec,
    observation_from_response,
    observation_from_run,
    observe_fresh_worker,
    run_pytest_fresh,
    worker_request,
)
from fixloop.patch import changed_lines
from fixloop.repair.engine import CandidateVerdict
from fixloop.repair.localise import rank_lines
from fixloop.repair.warm import WarmWorker
from fixloop.sandbox.base import Limits, Sandbox, Status
from fixloop.settings import Settings
from fixloop.spans import LineRange
from fixloop.transcript import Transcript

if TYPE_CHECKING:
    from fixloop.loop import PreparedRequest
    from fixloop.repair.session import LoopSession

# Modules the worker imports once so that forked children start warm (plus what the code imports).
WARM_MODULES = (
    "json",
    "re",
    "math",
    "collections",
    "itertools",
    "functools",
    "typing",
    "dataclasses",
    "string",
    "copy",
    "enum",
    "pathlib",
    "tempfile",
    "inspect",
)


def warm_modules(root: Path, files: Sequence[str], sources: Sequence[str] = ()) -> list[str]:
    """WARM_MODULES plus the top-level modules the target and tests import that are not the
    project's own (those must be re-imported per candidate, never cached in the worker)."""
    names = list(WARM_MODULES)
    texts = list(sources)
    for file in files:
        try:
            texts.append((root / file).read_text(encoding="utf-8", errors="replace"))
        except OSError:
            continue
    for text in texts:
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                modules = [node.module]
            else:
                continue
            for module in modules:
                top = module.split(".")[0]
                if (root / f"{top}.py").exists() or (root / top).is_dir():
                    continue
                names.append(module)
    return list(dict.fromkeys(names))


PROOF_STARTUP_SECONDS = 10.0
# Warm workers validating candidates side by side (one per core, at most two).
PARALLEL_WORKERS = max(1, min(2, os.cpu_count() or 1))


@dataclass(frozen=True)
class Winner:
    text: str
    origin: str
    after: OracleSide


class Validator:
    def __init__(
        self, prepared: PreparedRequest, settings: Settings, transcript: Transcript, started: float
    ) -> None:
        self.prepared = prepared
        self.settings = settings
        self.transcript = transcript
        self.started = started
        self.deadline = started + settings.budget
        self.limits = Limits(wall_seconds=settings.timeout, memory_mb=settings.memory)
        self.sandbox: Sandbox | None = None
        self.worker: WarmWorker | None = None  # the first warm worker (the baseline ran on it)
        self.workers: list[WarmWorker] = []
        self._idle: asyncio.Queue[WarmWorker] | None = None
        self._command_pass: Observation | None = None
        self.baseline: Observation | None = None
        self.fresh_before: Observation | None = None
        self.winner: Winner | None = None
        self.tried = 0
        self.engine_name = ""
        self.candidate_timeout = settings.timeout  # per test, soft (the test is interrupted)
        self.candidate_hard_timeout = settings.timeout * 2  # per candidate child, hard kill
        self.runner = "light"
        self.engine_deadline: float | None = None  # the current engine's share of the budget

    async def open(self) -> None:
        from fixloop.sandbox import open_sandbox

        self.sandbox = await open_sandbox(
            self.settings.sandbox,
            python=self.settings.python or None,
            image=self.settings.docker_image,
        )

    async def close(self) -> None:
        for worker in self.workers:
            await worker.close()
        self.workers = []
        self.worker = None
        if self.sandbox is not None:
            await self.sandbox.close()
            self.sandbox = None

    # ---- runs -------------------------------------------------------------------------------

    async def fresh(self, text: str, *, proof: bool = False) -> Observation:
        """The full oracle in a fresh sandbox process, with `text` as the target file.

        The proof run of a winner gets extra wall time for interpreter and pytest start-up, so
        a tight `--timeout` (meant for the code) cannot reject a fix that the warm run passed.
        """
        assert self.sandbox is not None
        oracle, root = self.prepared.oracle, self.prepared.root
        overlay = {oracle.target: text}
        limits = self.limits
        if proof:
            limits = Limits(
                wall_seconds=self.settings.timeout + PROOF_STARTUP_SECONDS,
                memory_mb=self.settings.memory,
            )
        if oracle.kind == "command":
            result = await self.sandbox.run(command_spec(oracle, root, overlay, limits))
            if result.status is Status.SANDBOX_ERROR:
                raise OracleError(
                    f"the command could not run: {result.note or result.stderr[-300:]}"
                )
            program = oracle.command[0] if not oracle.shell else ""
            missing = result.exit_code == 127 or (
                program
                and program in result.stderr
                and ("execvp" in result.stderr or "not found" in result.stderr)
            )
            if self.baseline is None and result.status is Status.ERROR and missing:
                raise OracleError(f"the command could not run: {result.stderr.strip()[-300:]}")
            return observation_from_run(result, "command")
        if oracle.kind == "script":
            request = worker_request(
                oracle,
                overlay=overlay,
                timeout=self.settings.timeout,
                memory_mb=self.settings.memory,
            )
            return await observe_fresh_worker(self.sandbox, root, request, limits)
        result, passed, failed = await run_pytest_fresh(
            self.sandbox, root, oracle.tests, overlay, limits
        )
        if result.exit_code == 1 and "No module named pytest" in result.stderr:
            # Not a failing test: the interpreter that runs the user's code has no pytest.
            raise OracleError(
                "pytest is not installed in the interpreter that runs your code; install it there "
                "or choose another interpreter (--python, or the fixloop.python setting)"
            )
        if result.status is Status.TIMEOUT:
            return Observation(
                (TestOutcome("pytest", "timeout", "timed out"),),
                result.duration_ms,
                result.stdout[-3000:],
                runner="fresh",
            )
        if result.exit_code in (0, 1) or (
            result.exit_code == 2 and self._collection_blames_target(result.stdout)
        ):
            outcomes = tuple(TestOutcome(f"passed#{i}", "passed") for i in range(passed))
            outcomes += tuple(
                TestOutcome(f"failed#{i}", "failed")
                for i in range(max(failed, int(result.exit_code != 0)))
            )
            return Observation(outcomes, result.duration_ms, result.stdout[-3000:], runner="fresh")
        if result.exit_code == 5:
            raise OracleError(f"pytest collected no tests from {' '.join(oracle.tests)}")
        raise OracleError(
            f"the tests could not run (pytest exit {result.exit_code}):\n{(result.stdout + result.stderr)[-1500:]}"
        )

    def _collection_blames_target(self, output: str) -> bool:
        target = self.prepared.oracle.target
        name = Path(target).name
        try:
            ast.parse(self.prepared.source)
        except SyntaxError:
            return True
        return name in output and "Error" in output

    async def reproduce(self) -> Observation:
        """The fresh full-oracle run and the warm coverage run, side by side (a hanging
        original then costs one timeout, not two)."""
        assert self.sandbox is not None
        fresh_task = asyncio.create_task(self.fresh(self.prepared.source))
        warm_task = None
        if self.prepared.oracle.kind != "command":
            warm_task = asyncio.create_task(self._warm_baseline())
        try:
            fresh = await fresh_task
        except BaseException:
            if warm_task is not None:
                warm_task.cancel()
                await asyncio.gather(warm_task, return_exceptions=True)
            raise
        self.fresh_before = fresh
        self.transcript.write(
            "baseline_fresh", summary=fresh.summary(), output=fresh.output[-2000:]
        )
        if fresh.ok or warm_task is None:
            if warm_task is not None:
                warm_task.cancel()
                await asyncio.gather(warm_task, return_exceptions=True)
            self.baseline = fresh
            return fresh
        baseline = await warm_task
        if baseline.ok:
            baseline = fresh  # the worker cannot see this failure; keep the fresh verdict
        self.runner = baseline.runner if baseline.runner in ("light", "pytest") else self.runner
        self._set_baseline(baseline)
        return fresh

    async def _warm_baseline(self) -> Observation:
        assert self.sandbox is not None
        limits = Limits(wall_seconds=self.settings.budget + 60, memory_mb=self.settings.memory)
        self.workers = [
            WarmWorker(self.sandbox, self.prepared.root, limits) for _ in range(PARALLEL_WORKERS)
        ]
        self.worker = self.workers[0]
        self._idle = asyncio.Queue()
        oracle = self.prepared.oracle
        test_files = sorted({t.split("::")[0] for t in oracle.tests})
        modules = warm_modules(self.prepared.root, test_files, [self.prepared.source])
        if (
            self.runner == "pytest"
            or oracle.kind == "tests"
            and _has_conftest(self.prepared.root, test_files)
        ):
            modules.append("pytest")
        started = await asyncio.gather(*(worker.start(modules) for worker in self.workers))
        for worker, ok in zip(self.workers, started, strict=True):
            if ok:
                self._idle.put_nowait(worker)
            else:
                self.transcript.write("worker", status="unavailable", reason=worker.reason)

        def observe_original() -> Awaitable[Observation]:
            return self._observe(
                self.prepared.source,
                coverage=True,
                isolate_hangs=True,
                timeout=self.settings.timeout * 2,
                test_timeout=self.settings.timeout,
            )

        baseline = await observe_original()
        if baseline.ok and self.runner == "light" and self.prepared.oracle.kind == "tests":
            # The small runner disagrees with pytest: use pytest inside the worker from now on.
            self.runner = "pytest"
            baseline = await observe_original()
        if baseline.runner == "pytest" and "pytest" not in modules:
            for worker in self.workers:
                await worker.request({"op": "warm", "modules": ["pytest"]}, timeout=30.0)
        return baseline

    @property
    def parallelism(self) -> int:
        """How many candidates a batch should hold: one per live warm worker."""
        if self.prepared.oracle.kind == "command":
            return 1
        return max(1, sum(1 for worker in self.workers if not worker.broken))

    async def _acquire(self) -> WarmWorker | None:
        while self._idle is not None and any(not w.broken for w in self.workers):
            worker = await self._idle.get()
            if not worker.broken:
                return worker
        return None

    def _set_baseline(self, baseline: Observation) -> None:
        self.baseline = baseline
        finished = [o.ms / 1000 for o in baseline.outcomes if o.outcome != "timeout"]
        longest, total = max(finished, default=0.0), sum(finished)
        if baseline.runner != "light" or not finished:
            longest = total = max(0.0, baseline.duration_ms / 1000)
        # A candidate may take a few times what the original took, never the whole budget.
        self.candidate_timeout = min(self.settings.timeout, max(0.25, 4 * longest + 0.2))
        self.candidate_hard_timeout = self.candidate_timeout + 3 * total + 1.0
        self.transcript.write(
            "baseline",
            summary=baseline.summary(),
            runner=self.runner,
            failing=sorted(baseline.failed),
            passing=sorted(baseline.passed),
            candidate_timeout=self.candidate_timeout,
            candidate_hard_timeout=self.candidate_hard_timeout,
        )

    def test_order(self) -> list[str]:
        """Previously failing tests first, fastest first, so a bad candidate fails early."""
        assert self.baseline is not None
        outcomes = sorted(self.baseline.outcomes, key=lambda o: (o.ms, o.id))
        failing = [o.id for o in outcomes if o.outcome in ("failed", "timeout")]
        return failing + [o.id for o in outcomes if o.outcome == "passed"]

    async def _observe(
        self,
        text: str,
        *,
        coverage: bool = False,
        isolate_hangs: bool = False,
        stop_on_fail: bool = False,
        order: Sequence[str] = (),
        timeout: float,
        test_timeout: float | None = None,
    ) -> Observation:
        assert self.sandbox is not None
        request = worker_request(
            self.prepared.oracle,
            overlay={self.prepared.oracle.target: text},
            timeout=timeout,
            coverage=coverage,
            stop_on_fail=stop_on_fail,
            order=order,
            isolate_hangs=isolate_hangs,
            runner=self.runner,
            memory_mb=self.settings.memory,
            test_timeout=test_timeout,
        )
        worker = await self._acquire()
        if worker is not None:
            # With isolate_hangs the worker may need one hard timeout per hanging test.
            wait = max(timeout, self.remaining()) if isolate_hangs else timeout
            try:
                answer = await worker.request(request, timeout=wait)
            finally:
                assert self._idle is not None
                self._idle.put_nowait(worker)
            if answer is not None:
                return observation_from_response(answer)
            self.transcript.write("worker", status="broken", reason=worker.reason)
        limits = Limits(wall_seconds=timeout + 5, memory_mb=self.settings.memory)
        return await observe_fresh_worker(self.sandbox, self.prepared.root, request, limits)

    def remaining_budget(self) -> float:
        return max(0.0, self.deadline - time.monotonic())

    def remaining(self) -> float:
        return max(1.0, self.deadline - time.monotonic())

    async def session(
        self, explicit: LineRange | None, progress: ProgressCallback | None
    ) -> LoopSession:
        from fixloop.repair.session import LoopSession, failure_of
        from fixloop.repair.target import choose_target

        assert self.baseline is not None
        target, inferred = choose_target(
            self.prepared.source, self.baseline, self.prepared.oracle.target, explicit
        )
        failure = failure_of(self.baseline, self.prepared.oracle.target)
        allowed = range(target.start, target.end + 1)
        suspicious = rank_lines(self.baseline, self.prepared.oracle.target, allowed)
        if failure.error_line and target.start <= failure.error_line <= target.end:
            failing_lines = {failure.error_line}
        else:
            failing_lines = set()
        guards = GuardSet(
            self.prepared.source, target, failing_lines=failing_lines, allow_header_imports=inferred
        )
        self.transcript.write(
            "target",
            start=target.start,
            end=target.end,
            inferred=inferred,
            suspicious=suspicious[:20],
            failure=failure.summary,
        )
        return LoopSession(self, target, failure, suspicious, guards, progress)

    # ---- one candidate ------------------------------------------------------------------------

    async def validate(self, text: str, origin: str, guards: GuardSet) -> CandidateVerdict:
        return (await self.validate_batch([(text, origin)], guards))[0]

    async def validate_batch(
        self, batch: Sequence[tuple[str, str]], guards: GuardSet
    ) -> list[CandidateVerdict]:
        """Validate candidates on all warm workers at once; prove the first (in order) that
        passes. The outcome equals validating them one by one, so the search stays deterministic."""
        started = time.monotonic()
        verdicts: list[CandidateVerdict | None] = []
        runnable: list[int] = []
        for index, (text, _) in enumerate(batch):
            refusal = guards.screen(text)
            verdicts.append(CandidateVerdict(False, *refusal) if refusal else None)
            if not refusal:
                runnable.append(index)
        self.tried += len(runnable)
        if self.prepared.oracle.kind == "command":
            warm = [await self._command_check(batch[i][0]) for i in runnable]
        else:
            warm = list(await asyncio.gather(*(self._warm_check(batch[i][0]) for i in runnable)))
        for index, checked in zip(runnable, warm, strict=True):
            verdicts[index] = checked
        for index in runnable:
            verdict = verdicts[index]
            assert verdict is not None
            if self.winner is not None and verdict.outcome == "passed":
                verdicts[index] = CandidateVerdict(
                    False, "not needed", "an earlier candidate was verified"
                )
            elif verdict.outcome == "passed":
                text, origin = batch[index]
                proved, after = await self._prove(text)
                verdicts[index] = proved
                if proved.verified and after is not None:
                    self.winner = Winner(text, origin, after)
        final = [
            v if v is not None else CandidateVerdict(False, "fails", "not run") for v in verdicts
        ]
        for (text, origin), verdict in zip(batch, final, strict=True):
            self._record(origin, text, verdict, started)
        return final

    async def _command_check(self, text: str) -> CandidateVerdict:
        observation = await self.fresh(text)
        if not observation.ok:
            return CandidateVerdict(
                False, "fails", observation.summary(), observation.output[-1500:]
            )
        self._command_pass = observation
        return CandidateVerdict(False, "passed", "the command exits 0")

    async def _prove(self, text: str) -> tuple[CandidateVerdict, OracleSide | None]:
        if self.prepared.oracle.kind == "command" and self._command_pass is not None:
            # The command already ran fresh on exactly this text: that run is the proof.
            return CandidateVerdict(
                True, "verified", "the command exits 0"
            ), self._command_pass.side()
        proof = await self.fresh(text, proof=True)
        if not proof.ok:
            return CandidateVerdict(
                False, "fails", f"fresh run: {proof.summary()}", proof.output[-1500:]
            ), None
        return CandidateVerdict(True, "verified", f"verified: {proof.summary()}"), proof.side()

    async def _warm_check(self, text: str) -> CandidateVerdict:
        """The candidate in a forked worker child: 'passed' when it passes every test."""
        assert self.baseline is not None
        baseline = self.baseline
        order = self.test_order()
        observation = await self._observe(
            text,
            stop_on_fail=True,
            order=order,
            timeout=self.candidate_hard_timeout,
            test_timeout=self.candidate_timeout,
        )
        if observation.timed_out:
            return CandidateVerdict(False, "timeout", "timed out", observation.report_text(1500))
        still_failing = observation.failed & baseline.failed
        broken = observation.failed - baseline.failed
        if still_failing or (observation.failed and not broken):
            return CandidateVerdict(
                False, "fails", observation.summary(), observation.report_text(1500)
            )
        if broken:
            return CandidateVerdict(
                False,
                "regression",
                f"breaks {', '.join(sorted(broken)[:3])}",
                observation.report_text(1500),
            )
        if not observation.outcomes or len(observation.passed) < len(baseline.passed):
            return CandidateVerdict(
                False, "fails", "not every test ran", observation.report_text(1500)
            )
        return CandidateVerdict(False, "passed", "passes every test in the warm worker")

    def _record(
        self, origin: str, text: str, verdict: CandidateVerdict, started: float
    ) -> CandidateVerdict:
        span = changed_lines(self.prepared.source, text)
        snippet = ""
        if span:
            start, end = span
            snippet = "".join(text.splitlines(keepends=True)[start - 1 : end + 1])[:2000]
        self.transcript.write(
            "candidate",
            origin=origin,
            outcome=verdict.outcome,
            reason=verdict.reason,
            lines=list(span) if span else None,
            text=snippet,
            ms=int((time.monotonic() - started) * 1000),
        )
        return verdict


def _has_conftest(root: Path, test_files: Sequence[str]) -> bool:
    folders = {root} | {(root / f).parent for f in test_files}
    return any((folder / "conftest.py").exists() for folder in folders)
