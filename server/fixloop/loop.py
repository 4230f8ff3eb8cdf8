"""The repair loop: reproduce the failure, ask engines for candidates, validate, prove, report.

`run_fix(FixRequest) -> FixResult` is the one entry point for the CLI, the language server and
the benchmarks. It checks the request (`fixloop.fixes.prepare`), opens the sandbox chosen in the
settings, and reproduces the failure with a real, fresh run (a passing oracle means "nothing to
fix") while warm workers re-run the oracle with line coverage for fault localisation
(`repair.baseline`). Engines then propose candidates through a `LoopSession`; each is guarded,
checked in a forked warm-worker child and, when it passes everything, proven once more by a
fresh full-oracle run before it counts as verified (`repair.validate`, `repair.verify`); a
checker diagnostic the request names must show on the original and be cleared by that proof
(`checker_oracle`). The
loop's parts each hold their own state: the `Budget`, the `WorkerPool`, the `Verifier` and the
`SearchState`. Every attempt goes to the transcript. Cancelling the task kills the workers and
closes the sandbox.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from fixloop.checker_oracle import CheckerEvidence, CheckerOracle, checker_baseline
from fixloop.engine_choice import engines_for
from fixloop.evidence import evidence_of
from fixloop.execution import sandbox_key
from fixloop.fixes import (
    Disagreement,
    FixRequest,
    FixResult,
    FixUsageError,
    OracleSide,
    PreparedRequest,
    ProgressCallback,
    Proof,
    prepare,
)
from fixloop.oracle import OracleError, discover_tests_for, pristine_files
from fixloop.patch import unified_diff
from fixloop.repair.baseline import passing_baseline, reproduce
from fixloop.repair.budget import Budget
from fixloop.repair.decide import no_fix_reason, settle
from fixloop.repair.engine import Engine, EngineConfigError, EngineReport, RepairSession
from fixloop.repair.pool import PARALLEL_WORKERS, WorkerPool
from fixloop.repair.runs import WarmRuns
from fixloop.repair.search import ComparisonWindow, SearchState
from fixloop.repair.session import open_session
from fixloop.repair.verify import Verifier
from fixloop.sandbox import open_sandbox, shared
from fixloop.sandbox.base import Limits, Sandbox, SandboxUnavailable
from fixloop.transcript import Transcript

OFFLINE_SHARE = 0.4
# The warm workers live for the whole loop: the budget plus time to wind down.
WORKER_LIFETIME_GRACE = 60


async def run_fix(
    request: FixRequest,
    *,
    progress: ProgressCallback | None = None,
    workers: int = PARALLEL_WORKERS,
) -> FixResult:
    """Find and prove a fix for `request`. Raises FixUsageError for bad input and
    SandboxUnavailable when the chosen sandbox cannot run. `workers` is how many warm workers
    validate candidates side by side; the verified fix does not depend on it (the search's
    decisions follow the candidates' order, see `repair.search`), which tests check through it."""
    if request.discover_tests and not request.tests and not request.command:
        plain = replace(request, discover_tests=False)
        with_tests = await _with_discovered_oracle(plain)
        if with_tests is not None:
            try:
                result = await _run_fix(with_tests, progress, workers)
            except FixUsageError as exc:
                # Discovered tests are a stronger oracle when they run; when they cannot (no
                # pytest in the user's interpreter, a collection error) running the file remains.
                if progress is not None:
                    progress(f"tests unusable as the oracle ({exc}); running the file instead")
            else:
                if not result.nothing_to_fix:
                    return result
            # The tests pass: what is broken is the file run as a script, so that is the oracle.
        return await _run_fix(plain, progress, workers)
    return await _run_fix(request, progress, workers)


async def _with_discovered_oracle(request: FixRequest) -> FixRequest | None:
    """`request` with the configured test command, or the tests that import the module."""
    if request.settings.test_command:
        return replace(request, command=request.settings.test_command)
    # Walking the project touches the disk: keep it off the event loop.
    tests = await asyncio.to_thread(discover_tests_for, request.path, request.root)
    return replace(request, tests=tuple(tests)) if tests else None


@dataclass(frozen=True)
class _Outcome:
    """How a loop ended, before it becomes a `FixResult`."""

    before: OracleSide
    reason: str | None = None
    fixed: str | None = None
    after: OracleSide | None = None
    summary: str = ""
    nothing_to_fix: bool = False
    engine: str = ""
    reports: tuple[EngineReport, ...] = ()
    changes_check: bool = False
    disagreements: tuple[Disagreement, ...] = ()
    checker: CheckerEvidence | None = None


async def _run_fix(
    request: FixRequest, progress: ProgressCallback | None, workers: int
) -> FixResult:
    started = time.monotonic()
    settings = request.settings
    if not settings.budget > 0:
        raise FixUsageError("the budget must be a positive number of seconds")
    prepared = prepare(request)
    engines = engines_for(request)
    transcript = Transcript(Path(prepared.path).stem)
    transcript.write(
        "request",
        file=prepared.path,
        oracle=prepared.oracle.describe(),
        engines=[e.name for e in engines],
        budget=settings.budget,
    )
    state = SearchState(prepared.source, window=ComparisonWindow())
    try:
        outcome = await _search(
            prepared, request, engines, state, transcript, progress, started, workers
        )
    finally:
        transcript.close()
    return _result(prepared, engines, state, started, transcript, outcome)


async def _search(
    prepared: PreparedRequest,
    request: FixRequest,
    engines: Sequence[Engine],
    state: SearchState,
    transcript: Transcript,
    progress: ProgressCallback | None,
    started: float,
    workers: int,
) -> _Outcome:
    settings = request.settings
    budget = Budget(started, settings.budget)
    # In a server, the process's resident sandbox (its runs and tests use it too; each loop
    # still gets its own warm workers and scratch copy); a one-off `fixloop fix` opens its own.
    sandbox = shared.acquire_resident(sandbox_key(settings))
    owned = sandbox is None
    if sandbox is None:
        sandbox = await open_sandbox(
            settings.sandbox, python=settings.python or None, image=settings.docker_image
        )
    pool = None
    if prepared.oracle.kind != "command":
        pool = WorkerPool(
            sandbox,
            prepared.root,
            Limits(wall_seconds=settings.budget + WORKER_LIFETIME_GRACE, memory_mb=settings.memory),
            on_worker=lambda status, reason: transcript.write(
                "worker", status=status, reason=reason
            ),
            pristine=pristine_files(prepared.root, prepared.oracle.tests),
            size=max(1, workers),
        )
    try:
        # Which sandbox ran the loop: the process's shared one (its serial) or one of its own (0).
        serial = 0 if owned else shared.serial(sandbox)
        transcript.write("sandbox", name=sandbox.name, serial=serial)
        _warn_unprotected(sandbox, transcript, progress)
        runs = WarmRuns(
            sandbox,
            prepared,
            settings,
            budget,
            pool,
            on_note=lambda message: transcript.write("fast_path", note=message),
        )
        verifier = Verifier(sandbox, prepared, settings)
        checking = asyncio.create_task(_checker(request, prepared, sandbox))
        try:
            fresh, baseline = await reproduce(verifier, runs)
            verifier.checker, checker = await checking
        except OracleError as exc:
            raise FixUsageError(str(exc)) from exc
        finally:
            checking.cancel()
            await asyncio.gather(checking, return_exceptions=True)
        if checker is not None:
            transcript.write("checker", **checker.to_json())
        transcript.write("baseline_fresh", summary=fresh.summary(), output=fresh.output[-2000:])
        before = OracleSide.of(fresh)
        if baseline is None and verifier.checker is not None:
            # Only the checker reports the diagnostic: search for a fix that clears it while
            # everything that passes keeps passing.
            baseline = await passing_baseline(verifier, runs, fresh)
        if baseline is None:
            transcript.write("result", verified=False, nothing_to_fix=True)
            reason = f"nothing to fix: {prepared.oracle.describe()} passes"
            return _Outcome(before, reason=reason, nothing_to_fix=True, checker=checker)
        transcript.write(
            "baseline",
            summary=baseline.observed.summary(),
            runner=baseline.runner,
            failing=sorted(baseline.observed.failed),
            passing=sorted(baseline.observed.passed),
            candidate_timeout=baseline.limits.test_seconds,
            candidate_hard_timeout=baseline.limits.child_seconds,
            fast_path=baseline.note,
        )
        session = open_session(
            prepared,
            baseline,
            budget=budget,
            state=state,
            runs=runs,
            verifier=verifier,
            transcript=transcript,
            progress=progress,
        )
        engine_name, reports, config_error = await _run_engines(
            engines, session, state, budget, transcript
        )
        # Led by a checker, the original's behaviour is not what leaders should agree with,
        # and runner-ups were never shown to the checker: the first proven candidate wins.
        led_by_checker = verifier.checker is not None and fresh.ok
        comparison = None
        if not led_by_checker:
            comparison = await settle(
                state, session.validator, sandbox, prepared, baseline.observed, transcript,
                budget.remaining(),
            )  # fmt: skip
    finally:
        try:
            if pool is not None:
                await pool.close()
        finally:
            if owned:
                await sandbox.close()
            else:
                shared.release(sandbox, roots={prepared.root})
    if runs.swaps:
        transcript.write("fast_path", swaps=dict(runs.swaps))
    if state.safety_stop:
        # A time bound, not the counts, decided: on a faster machine the choice may differ.
        transcript.write("safety_stop", reason=state.safety_stop)
        if progress is not None:
            progress(f"note: {state.safety_stop}")
    winner = state.winner
    if winner is None:
        reason = no_fix_reason(
            state.tried,
            settings.budget,
            budget.remaining(),
            verifier.checker if led_by_checker else None,
            prepared.oracle.describe(),
        )
        stops = [report.stop_reason for report in reports if report.stop_reason]
        if config_error and config_error not in stops:
            stops.append(config_error)
        if stops:
            reason += "; " + "; ".join(stops)
        transcript.write("result", verified=False, reason=reason)
        return _Outcome(before, reason=reason, engine=engine_name, reports=reports, checker=checker)
    summary = winner.origin
    if winner.changes_check:
        # Nothing that leaves the program's checks alone passed: say what this one changes.
        summary += f" (changes a check: {winner.changes_check})"
    disagreements = comparison.disagreements if comparison is not None else ()
    transcript.write(
        "result",
        verified=True,
        origin=winner.origin,
        changes_check=winner.changes_check,
        uncertain=bool(disagreements),
    )
    return _Outcome(
        before,
        fixed=winner.text,
        after=winner.after,
        summary=summary,
        changes_check=bool(winner.changes_check),
        engine=engine_name,
        reports=reports,
        disagreements=disagreements,
        checker=checker,
    )


async def _checker(
    request: FixRequest, prepared: PreparedRequest, sandbox: Sandbox
) -> tuple[CheckerOracle | None, CheckerEvidence | None]:
    if request.checker is None:
        return None, None
    return await checker_baseline(
        sandbox,
        request.checker,
        prepared.root,
        prepared.path,
        prepared.source,
        prepared.explicit_range,
        request.settings.memory,
    )


async def _run_engines(
    engines: Sequence[Engine],
    session: RepairSession,
    state: SearchState,
    budget: Budget,
    transcript: Transcript,
) -> tuple[str, tuple[EngineReport, ...], str | None]:
    """Run the engines in turn; (the last engine that ran, their reports, a config error).
    An engine that ends with a proven candidate ends the search, even while its comparison
    window is still open: the next engine is for when nothing passed."""
    reports: list[EngineReport] = []
    config_error: str | None = None
    engine_name = ""
    for index, engine in enumerate(engines):
        winner = state.winner
        # A fallback that changes one of the program's checks does not stop the next engine.
        if (winner is not None and not winner.changes_check) or budget.remaining() <= 0:
            break
        # The offline engine leaves most of the budget to a model engine that follows it.
        budget.start_engine(OFFLINE_SHARE if index + 1 < len(engines) else 1.0)
        engine_name = engine.name
        transcript.write("engine", name=engine.name)
        try:
            reports.append(await engine.search(session))
        except (asyncio.CancelledError, SandboxUnavailable):
            raise
        except EngineConfigError as exc:
            transcript.write("engine_error", name=engine.name, error=f"EngineConfigError: {exc}")
            config_error = str(exc)
        except Exception as exc:  # one broken engine must not end the loop
            transcript.write("engine_error", name=engine.name, error=f"{type(exc).__name__}: {exc}")
    budget.end_engines()
    return engine_name, tuple(reports), config_error


def _warn_unprotected(
    sandbox: Sandbox, transcript: Transcript, progress: ProgressCallback | None
) -> None:
    if sandbox.protected:
        return
    warning = (
        f"warning: the {sandbox.name} sandbox is unprotected: the code "
        "runs with your rights; use --sandbox bwrap or docker to contain it"
    )
    transcript.write("warning", message=warning)
    if progress is not None:
        progress(warning)


def _result(
    prepared: PreparedRequest,
    engines: Sequence[Engine],
    state: SearchState,
    started: float,
    transcript: Transcript,
    outcome: _Outcome,
) -> FixResult:
    # Without a verified fix (or with nothing to fix) the proof shows the original on both sides.
    after = outcome.after if outcome.after is not None and not outcome.nothing_to_fix else None
    proof = Proof(prepared.oracle.describe(), outcome.before, after or outcome.before)
    fixed = outcome.fixed
    evidence = evidence_of(prepared.oracle.kind, proof) if fixed is not None else ""
    checker = outcome.checker.settled(fixed is not None) if outcome.checker else None
    if checker is not None and evidence:
        cleared = checker.status == "cleared"
        evidence = f"{checker.short()}; {evidence}" if cleared else f"{evidence}; {checker.short()}"
    return FixResult(
        verified=fixed is not None,
        engine=outcome.engine or (engines[0].name if engines else "offline"),
        candidates_tried=state.tried,
        duration_ms=int((time.monotonic() - started) * 1000),
        original=prepared.source,
        fixed=fixed,
        diff=unified_diff(prepared.source, fixed, prepared.path) if fixed is not None else "",
        proof=proof,
        reason=outcome.reason,
        transcript=transcript.location,
        summary=outcome.summary,
        nothing_to_fix=outcome.nothing_to_fix,
        changes_check=outcome.changes_check,
        tokens=sum(report.tokens for report in outcome.reports),
        cost_usd=sum(report.cost_usd for report in outcome.reports),
        evidence=evidence,
        uncertain=bool(outcome.disagreements),
        disagreements=outcome.disagreements,
        checker=checker,
    )
