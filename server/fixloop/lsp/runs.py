"""`fixloop.runFile` and `fixloop.runTests`: run the document (or its tests) and mark what failed.

Run File publishes the uncaught exception on the deepest frame in the file. Run Tests runs the
pytest files that import the module (or, invoked from a test file, that file; or the configured
test command) once in the server's shared sandbox, through the worker's test runner, whose records carry each
failure's traceback. Both run in the process's one shared sandbox for the settings
(`execution.with_shared`), which stays open with spares waiting; the answer's `sandboxSerial`
says which opening of it ran the code. It marks the failing line in the test file, with the module under test as
`data` so the test file's quick fix can fix the module, and the line the failure points at in
the module under test (see `testplaces`). A sandbox that cannot run answers with the code
sandbox-unavailable; a result for a document that changed meanwhile is dropped (code stale).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lsprotocol import types

from fixloop.lsp.context import (
    ServerContext,
    Target,
    argument,
    cap_output,
    is_current,
    run_tracked,
    target_of,
)
from fixloop.lsp.diagnostics import (
    TestDiagnostics,
    module_summary_diagnostic,
    run_diagnostics,
    test_diagnostics,
)
from fixloop.lsp.errors import (
    STALE_REASON,
    CommandError,
    ErrorCode,
    error_for,
    sandbox_unavailable,
)
from fixloop.lsp.testplaces import FailingTest, TraceFrame, is_test_path, relative_frame
from fixloop.settings import Settings


async def run_file_command(server: ServerContext, args: tuple[Any, ...]) -> dict[str, Any]:
    target = target_of(server, argument(args))
    from fixloop.execution import file_spec, run_shared
    from fixloop.sandbox import Status

    settings = server.settings
    spec = file_spec(target.path, root=target.root, settings=settings, source=target.text)
    ran = await run_tracked(server, target.uri, run_shared(spec, settings))
    result = ran.value
    if not is_current(server, target):
        raise CommandError(STALE_REASON, ErrorCode.STALE, stale=True)
    if result.status is Status.SANDBOX_ERROR:
        raise sandbox_unavailable(result.sandbox or server.settings.sandbox, result.note)
    diagnostics = run_diagnostics(result, target.place(), server.encoding)
    server.publish(target.uri, {target.uri: diagnostics}, target.version)
    error = result.error
    return {
        "ok": result.ok,
        "status": result.status.value,
        "exitCode": result.exit_code,
        "diagnostics": len(diagnostics),
        "durationMs": result.duration_ms,
        "sandbox": result.sandbox,
        "sandboxSerial": ran.serial,
        "protected": result.protected,
        "note": result.note,
        "stdout": cap_output(result.stdout),
        "stderr": cap_output(result.stderr),
        "error": None
        if error is None
        else {"type": error.type, "message": error.message, "line": error.line},
    }


@dataclass(frozen=True)
class TestRun:
    """One run of tests: counts, the failures with their tracebacks, and problems running them."""

    __test__ = False  # a value, not a pytest test class

    passed: int
    failures: tuple[FailingTest, ...]
    problems: tuple[str, ...]  # collection errors, a crashed worker: not one test's failure
    sandbox: str
    serial: int = 0  # which opening of the shared sandbox ran them (0: not known)


async def _run_traced(
    root: Path, tests: Sequence[str], settings: Settings, overlay: Mapping[str, str]
) -> TestRun:
    """Run pytest tests once in the shared sandbox through the worker, keeping the tracebacks."""
    from fixloop.execution import with_shared
    from fixloop.oracle import Oracle
    from fixloop.oracle_runs import observe_fresh_worker, worker_request
    from fixloop.sandbox import Limits

    limits = Limits(wall_seconds=settings.timeout, memory_mb=settings.memory)
    # The worker's own runner reports each failure's frames; it switches to pytest by
    # itself when the tests need pytest (fixtures, conftest.py, plugins).
    request = worker_request(
        Oracle("tests", "", tests=tuple(tests)),
        overlay=overlay,
        timeout=settings.timeout,
        runner="light",
        memory_mb=settings.memory,
    )
    ran = await with_shared(
        settings, root, lambda sandbox: observe_fresh_worker(sandbox, root, request, limits)
    )
    observation = ran.value
    failures, problems = [], []
    for outcome in observation.outcomes:
        if outcome.outcome not in ("failed", "timeout"):
            continue
        if outcome.id.startswith("<"):  # "<collect>", "<worker>": no test to point at
            error = outcome.error
            problems.append(f"{error.type}: {error.message}" if error else outcome.message)
            continue
        frames = tuple(
            TraceFrame(relative_frame(f.file, root), f.line, f.function)
            for f in (outcome.error.frames if outcome.error else ())
        )
        failures.append(FailingTest(outcome.id, outcome.line, outcome.message, frames))
    return TestRun(
        len(observation.passed), tuple(failures), tuple(problems), ran.sandbox, ran.serial
    )


async def _run_command(
    root: Path, command: str, settings: Settings, overlay: Mapping[str, str]
) -> TestRun:
    from fixloop import test_runs

    report = await test_runs.run_tests(
        root, [], settings=settings, overlay=overlay, command=command, shared=True
    )
    problems = tuple(f"{f.nodeid} failed: {f.message}".strip() for f in report.failures)
    return TestRun(report.passed, (), problems, settings.sandbox)


def _tests_for(target: Target, settings: Settings) -> tuple[list[str], str | None]:
    """(pytest files, None) or ([], the test command) for Run Tests on `target`."""
    if is_test_path(target.relative_path):
        return [target.relative_path], None  # from a test file: run that file
    if settings.test_command:
        return [], settings.test_command
    from fixloop.oracle import discover_tests_for

    return discover_tests_for(target.path, target.root), None


async def run_tests_command(server: ServerContext, args: tuple[Any, ...]) -> dict[str, Any]:
    target = target_of(server, argument(args))
    settings = server.settings
    # Discovery walks the workspace and parses every test file: off the event loop.
    tests, command = await asyncio.to_thread(_tests_for, target, settings)
    if not command and not tests:
        raise CommandError(
            "no pytest file under the workspace imports this module; set fixloop.testCommand",
            ErrorCode.NO_TESTS,
        )
    overlay = {target.relative_path: target.text}
    work = (
        _run_command(target.root, command, settings, overlay)
        if command
        else _run_traced(target.root, tests, settings, overlay)
    )
    try:
        run = await run_tracked(server, target.uri, work)
    except (CommandError, asyncio.CancelledError):
        raise
    except Exception as exc:
        raise error_for(exc, settings.sandbox) from exc
    if not is_current(server, target):
        raise CommandError(STALE_REASON, ErrorCode.STALE, stale=True)
    # Placing failures reads and parses the test files and modules: off the event loop.
    marks = await asyncio.to_thread(
        test_diagnostics,
        run.failures,
        target.place(),
        _reader(server, target.root),
        server.encoding,
    )
    by_uri = _with_module_summary(marks, run, target, server.encoding)
    server.publish(target.uri, by_uri, target.version)
    for test_uri, nodeid, module_uri in marks.tested:
        server.documents.tested[(test_uri, nodeid)] = module_uri
    failed = len(run.failures) + len(run.problems)
    return {
        "ok": failed == 0,
        "passed": run.passed,
        "failed": failed,
        "sandbox": run.sandbox,
        "sandboxSerial": run.serial,
        "tests": tests,
        "problems": list(run.problems),
        "failures": [
            {
                "nodeid": f.nodeid,
                "file": f.test_file,
                "line": f.line,
                "message": f.message,
                "module": marks.modules.get(f.nodeid),
            }
            for f in run.failures
        ],
    }


def _with_module_summary(
    marks: TestDiagnostics, run: TestRun, target: Target, encoding: str
) -> dict[str, list[types.Diagnostic]]:
    by_uri = {uri: list(diagnostics) for uri, diagnostics in marks.by_uri.items()}
    unplaced = [f for f in run.failures if f.nodeid not in marks.modules]
    if not is_test_path(target.relative_path) and (unplaced or run.problems):
        if not by_uri.get(target.uri) or run.problems:
            # Nothing points into the module, yet it still needs a place to offer the fix.
            by_uri.setdefault(target.uri, []).append(
                module_summary_diagnostic(
                    [f.nodeid for f in unplaced], list(run.problems), target.text, encoding
                )
            )
    by_uri.setdefault(target.uri, [])
    return by_uri


def _reader(server: ServerContext, root: Path) -> Any:
    """Read a root-relative file: the editor's buffer when it is open, else the disk."""
    cache: dict[str, str | None] = {}

    def read(relative: str) -> str | None:
        if relative not in cache:
            path = root / relative
            document = server.open_document(path.as_uri())
            if document is not None:
                cache[relative] = document.source
            else:
                try:
                    cache[relative] = path.read_text(encoding="utf-8", errors="replace")
                except OSError:
                    cache[relative] = None
        return cache[relative]

    return read
