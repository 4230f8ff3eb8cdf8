"""Running a project's tests once, for the language server's Run Tests and for test generation.

`run_tests` opens the sandbox the settings choose, runs the tests with pytest inside the worker
(whose recorder reports each test with the line it failed at) or runs the configured command,
closes the sandbox and returns a `TestReport` with one `TestFailure` per failing test.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from fixloop.oracle import Oracle, command_spec, parse_command
from fixloop.oracle_runs import observe_fresh_worker, worker_request
from fixloop.sandbox.base import Limits, Status
from fixloop.settings import Settings


@dataclass(frozen=True)
class TestFailure:
    __test__ = False  # a value, not a pytest test class

    nodeid: str
    file: str  # relative to root
    line: int | None
    message: str


@dataclass(frozen=True)
class TestReport:
    __test__ = False  # a value, not a pytest test class

    passed: int
    failed: int
    failures: tuple[TestFailure, ...] = ()
    duration_ms: int = 0
    output: str = ""
    errors: tuple[str, ...] = field(default_factory=tuple)


async def run_tests(
    root: str | Path,
    tests: Sequence[str],
    *,
    settings: Settings,
    overlay: Mapping[str, str] | None = None,
    command: str | None = None,
) -> TestReport:
    """Run tests once in a fresh sandbox (pytest with a recorder, or a command) and report."""
    from fixloop.sandbox import open_sandbox

    root_path = Path(root)
    limits = Limits(wall_seconds=settings.timeout, memory_mb=settings.memory)
    sandbox = await open_sandbox(
        settings.sandbox, python=settings.python or None, image=settings.docker_image
    )
    try:
        if command:
            argv, _ = parse_command(command, settings.allow_shell)
            oracle = Oracle("command", "", command=argv)
            result = await sandbox.run(command_spec(oracle, root_path, overlay or {}, limits))
            ok = result.status is Status.OK
            failures: tuple[TestFailure, ...] = (
                () if ok else (TestFailure(command, "", None, result.stderr[-500:]),)
            )
            return TestReport(
                int(ok),
                int(not ok),
                failures,
                result.duration_ms,
                result.stdout[-4000:] + result.stderr[-4000:],
            )
        oracle = Oracle("tests", "", tests=tuple(tests))
        request = worker_request(
            oracle,
            overlay=overlay,
            timeout=settings.timeout,
            runner="pytest",
            memory_mb=settings.memory,
        )
        observation = await observe_fresh_worker(sandbox, root_path, request, limits)
    finally:
        await sandbox.close()
    test_failures = tuple(
        TestFailure(o.id, o.id.split("::")[0], o.line, o.message)
        for o in observation.outcomes
        if o.failing
    )
    return TestReport(
        len(observation.passed),
        len(test_failures),
        test_failures,
        observation.duration_ms,
        observation.report_text(),
    )
