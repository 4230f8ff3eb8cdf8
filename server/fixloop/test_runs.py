"""Running a project's tests once, for the language server's Run Tests and for test generation.

`run_tests` runs the tests with pytest inside the worker (whose recorder reports each test with
the line it failed at) or runs the configured command, in a sandbox opened for this call (or,
with `shared`, the process's shared sandbox, left open), and returns a `TestReport` with one
`TestFailure` per failing test.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from fixloop.execution import with_shared
from fixloop.oracle import Oracle, command_spec, parse_command
from fixloop.oracle_runs import observe_fresh_worker, worker_request
from fixloop.sandbox.base import Limits, Sandbox, Status
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
    shared: bool = False,
) -> TestReport:
    """Run tests once (pytest with a recorder, or a command) and report."""
    root_path = Path(root)

    async def run(sandbox: Sandbox) -> TestReport:
        return await _run_on(sandbox, root_path, tests, settings, overlay or {}, command)

    if shared:
        return (await with_shared(settings, root_path, run)).value
    from fixloop.sandbox import open_sandbox

    sandbox = await open_sandbox(
        settings.sandbox, python=settings.python or None, image=settings.docker_image
    )
    try:
        return await run(sandbox)
    finally:
        await sandbox.close()


async def _run_on(
    sandbox: Sandbox,
    root: Path,
    tests: Sequence[str],
    settings: Settings,
    overlay: Mapping[str, str],
    command: str | None,
) -> TestReport:
    limits = Limits(wall_seconds=settings.timeout, memory_mb=settings.memory)
    if command:
        argv, _ = parse_command(command, settings.allow_shell)
        oracle = Oracle("command", "", command=argv)
        result = await sandbox.run(command_spec(oracle, root, overlay, limits))
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
    observation = await observe_fresh_worker(sandbox, root, request, limits)
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
