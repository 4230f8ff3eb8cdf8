"""The repair loop: reproduce the failure, ask engines for candidates, validate, prove, report.

`run_fix(FixRequest) -> FixResult` is the one entry point for the CLI, the language server and
the benchmarks. It reads the target (or the unsaved buffer), builds the oracle, opens the
sandbox chosen in the settings, and reproduces the failure with a real, fresh run (a passing
oracle means "nothing to fix"). A warm worker inside the sandbox then re-runs the oracle with line
coverage for fault localisation and validates candidates by forking. A candidate that passes
everything the original passed plus what it failed is re-run once more through the full oracle
in a fresh sandbox process before it counts as verified. Every attempt goes to the transcript.
Cancelling the task kills the worker and closes the sandbox.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from fixloop.fixes import FixRequest, FixResult, OracleSide, ProgressCallback, Proof
from fixloop.oracle import Oracle, OracleError, discover_tests_for, parse_command
from fixloop.patch import read_source, unified_diff
from fixloop.repair.engine import Engine
from fixloop.repair.validate import Validator
from fixloop.sandbox.base import SandboxUnavailable
from fixloop.settings import model_config
from fixloop.spans import LineRange
from fixloop.transcript import Transcript

OFFLINE_SHARE = 0.4


class FixUsageError(Exception):
    """Bad input: the CLI maps it to exit 2, the server to an error message."""


@dataclass(frozen=True)
class PreparedRequest:
    path: str  # target, relative to root, posix
    root: Path
    source: str
    oracle: Oracle
    explicit_range: LineRange | None


def prepare(request: FixRequest) -> PreparedRequest:
    """Check the request and read the target; raise FixUsageError with a clear message."""
    root = Path(request.root).resolve()
    if not root.is_dir():
        raise FixUsageError(f"the root {root} is not a directory")
    path = Path(request.path)
    absolute = (path if path.is_absolute() else root / path).resolve()
    try:
        relative = absolute.relative_to(root).as_posix()
    except ValueError as exc:
        raise FixUsageError(f"{absolute} is not inside the root {root} (use --root)") from exc
    if absolute.suffix != ".py":
        raise FixUsageError(f"{relative} is not a Python file (.py)")
    if request.source is not None:
        source = request.source
    elif not absolute.is_file():
        raise FixUsageError(f"{relative}: no such file under {root}")
    else:
        try:
            source, _ = read_source(absolute)
        except (OSError, UnicodeDecodeError, SyntaxError) as exc:
            raise FixUsageError(f"cannot read {relative}: {exc}") from exc
    total_lines = len(source.splitlines()) or 1
    if request.line_range is not None and request.line_range.end > total_lines:
        raise FixUsageError(
            f"the range {request.line_range.start}-{request.line_range.end} is outside "
            f"{relative}, which has {total_lines} lines"
        )
    if request.tests and request.command:
        raise FixUsageError("give tests or a command, not both")
    if request.command:
        try:
            argv, shell = parse_command(
                request.command, request.allow_shell or request.settings.allow_shell
            )
        except OracleError as exc:
            raise FixUsageError(str(exc)) from exc
        oracle = Oracle("command", relative, command=argv, shell=shell)
    elif request.tests:
        tests = []
        for test in request.tests:
            file_part, sep, rest = test.partition("::")
            test_path = Path(file_part)
            test_abs = (test_path if test_path.is_absolute() else root / test_path).resolve()
            if not test_abs.is_file():
                raise FixUsageError(f"test file {file_part} does not exist under {root}")
            try:
                rel_test = test_abs.relative_to(root).as_posix()
            except ValueError as exc:
                raise FixUsageError(f"test {test} is outside the root {root}") from exc
            if rel_test == relative:
                raise FixUsageError(f"{relative} is one of the tests; fixloop never edits tests")
            tests.append(rel_test + sep + rest)
        oracle = Oracle("tests", relative, tests=tuple(tests))
    else:
        oracle = Oracle("script", relative)
    return PreparedRequest(relative, root, source, oracle, request.line_range)


async def run_fix(request: FixRequest, *, progress: ProgressCallback | None = None) -> FixResult:
    """Find and prove a fix for `request`. Raises FixUsageError for bad input and
    SandboxUnavailable when the chosen sandbox cannot run."""
    if request.discover_tests and not request.tests and not request.command:
        plain = replace(request, discover_tests=False)
        with_tests = await _with_discovered_oracle(plain)
        if with_tests is not None:
            try:
                result = await _run_fix(with_tests, progress)
            except FixUsageError as exc:
                # Discovered tests are a stronger oracle when they run; when they cannot (no
                # pytest in the user's interpreter, a collection error) running the file remains.
                if progress is not None:
                    progress(f"tests unusable as the oracle ({exc}); running the file instead")
            else:
                if not result.nothing_to_fix:
                    return result
            # The tests pass: what is broken is the file run as a script, so that is the oracle.
        return await _run_fix(plain, progress)
    return await _run_fix(request, progress)


async def _with_discovered_oracle(request: FixRequest) -> FixRequest | None:
    """`request` with the configured test command, or the tests that import the module."""
    if request.settings.test_command:
        return replace(request, command=request.settings.test_command)
    # Walking the project touches the disk: keep it off the event loop.
    tests = await asyncio.to_thread(discover_tests_for, request.path, request.root)
    return replace(request, tests=tuple(tests)) if tests else None


async def _run_fix(request: FixRequest, progress: ProgressCallback | None) -> FixResult:
    started = time.monotonic()
    settings = request.settings
    if not settings.budget > 0:
        raise FixUsageError("the budget must be a positive number of seconds")
    prepared = prepare(request)
    engines = _engines(request)
    transcript = Transcript(Path(prepared.path).stem)
    transcript.write(
        "request",
        file=prepared.path,
        oracle=prepared.oracle.describe(),
        engines=[e.name for e in engines],
        budget=settings.budget,
    )
    validator = Validator(prepared, settings, transcript, started)
    try:
        try:
            await validator.open()
            if validator.sandbox is not None and not validator.sandbox.protected:
                warning = (
                    f"warning: the {validator.sandbox.name} sandbox is unprotected: the code "
                    "runs with your rights; use --sandbox bwrap or docker to contain it"
                )
                transcript.write("warning", message=warning)
                if progress is not None:
                    progress(warning)
            baseline = await validator.reproduce()
        except OracleError as exc:
            raise FixUsageError(str(exc)) from exc
        before = baseline.side()
        if baseline.ok:
            transcript.write("result", verified=False, nothing_to_fix=True)
            return _result(
                prepared,
                validator,
                engines,
                started,
                transcript,
                before=before,
                nothing_to_fix=True,
                reason=f"nothing to fix: {prepared.oracle.describe()} passes",
            )
        session = await validator.session(prepared.explicit_range, progress)
        config_error: str | None = None
        for index, engine in enumerate(engines):
            if session.solved or validator.remaining_budget() <= 0:
                break
            # The offline engine leaves most of the budget to a model engine that follows it.
            share = OFFLINE_SHARE if index + 1 < len(engines) else 1.0
            validator.engine_deadline = time.monotonic() + validator.remaining_budget() * share
            validator.engine_name = engine.name
            transcript.write("engine", name=engine.name)
            try:
                await engine.search(session)
            except (asyncio.CancelledError, SandboxUnavailable):
                raise
            except Exception as exc:  # one broken engine must not end the loop
                transcript.write(
                    "engine_error", name=engine.name, error=f"{type(exc).__name__}: {exc}"
                )
                if type(exc).__name__ == "ModelConfigError":
                    config_error = str(exc)
        validator.engine_deadline = None
        winner = validator.winner
        if winner is None:
            reason = (
                f"no verified fix within the budget of {settings.budget:g}s "
                f"({validator.tried} candidates tried)"
            )
            if validator.remaining_budget() > 0:
                reason = f"no candidate passed the oracle ({validator.tried} candidates tried)"
            stops = [
                getattr(e, "stop_reason", "") for e in engines if getattr(e, "stop_reason", "")
            ]
            if config_error and config_error not in stops:
                stops.append(config_error)
            if stops:
                reason += "; " + "; ".join(stops)
            transcript.write("result", verified=False, reason=reason)
            return _result(
                prepared, validator, engines, started, transcript, before=before, reason=reason
            )
        transcript.write("result", verified=True, origin=winner.origin)
        return _result(
            prepared,
            validator,
            engines,
            started,
            transcript,
            before=before,
            fixed=winner.text,
            after=winner.after,
            summary=winner.origin,
        )
    finally:
        await validator.close()
        transcript.close()


def _engines(request: FixRequest) -> list[Engine]:
    from fixloop.repair.offline import OfflineEngine

    choice = request.settings.engine
    model = model_config(request.settings)
    engines: list[Engine] = []
    if choice in ("auto", "offline"):
        engines.append(OfflineEngine())
    if choice == "llm" or (choice == "auto" and model.configured):
        if not model.configured:
            raise FixUsageError(
                "the llm engine needs a model: pass --model NAME (and --base-url URL for a "
                "non-OpenAI server) or set FIXLOOP_MODEL, with the key in FIXLOOP_API_KEY or "
                "OPENAI_API_KEY"
            )
        try:
            from fixloop.repair.llm import ModelEngine
        except ImportError as exc:
            raise FixUsageError(
                f"the llm engine is not available: {exc} (pip install 'fixloop[llm]')"
            ) from exc
        engines.append(ModelEngine(model, request.settings))
    return engines


def _result(
    prepared: PreparedRequest,
    validator: Validator,
    engines: Sequence[Engine],
    started: float,
    transcript: Transcript,
    *,
    before: OracleSide,
    fixed: str | None = None,
    after: OracleSide | None = None,
    summary: str = "",
    reason: str | None = None,
    nothing_to_fix: bool = False,
) -> FixResult:
    # Without a verified fix (or with nothing to fix) the proof shows the original on both sides.
    proof = Proof(
        prepared.oracle.describe(),
        before,
        after if after is not None and not nothing_to_fix else before,
    )
    engine_name = validator.engine_name or (engines[0].name if engines else "offline")
    tokens = sum(int(getattr(e, "tokens", 0) or 0) for e in engines)
    cost = sum(float(getattr(e, "cost_usd", 0.0) or 0.0) for e in engines)
    return FixResult(
        verified=fixed is not None,
        engine=engine_name,
        candidates_tried=validator.tried,
        duration_ms=int((time.monotonic() - started) * 1000),
        original=prepared.source,
        fixed=fixed,
        diff=unified_diff(prepared.source, fixed, prepared.path) if fixed is not None else "",
        proof=proof,
        reason=reason,
        transcript=transcript.location,
        summary=summary,
        nothing_to_fix=nothing_to_fix,
        tokens=tokens,
        cost_usd=cost,
    )


def summary_line(result: FixResult) -> str:
    """One line for the CLI's stderr and the editor's notifications."""
    seconds = result.duration_ms / 1000
    head = f"engine {result.engine}, {result.candidates_tried} candidates, {seconds:.1f}s"
    if result.nothing_to_fix:
        return f"nothing to fix ({head})"
    if result.verified and result.proof is not None:
        return f"verified fix: {result.summary} ({head}; proof: {result.proof.short()})"
    return f"no verified fix: {result.reason} ({head})"
