"""The worker's messages: typed requests and answers that the host and the worker both use.

The host writes one JSON request per line to the worker's stdin and reads one JSON answer per
line from its stdout; inside the worker, a forked child streams `StreamRecord`s to its parent
through a pipe. These `TypedDict`s are the only definition of those shapes: the host imports
this module from the fixloop package and the worker gets the same source through the bootstrap.
Standard library only, Python 3.10+.
"""

from __future__ import annotations

import json
import os
from typing import Literal, TypedDict

# What one test (or the script, or a command) did.
Outcome = Literal["passed", "failed", "timeout", "skipped"]
# The two in-worker runners: the small one (plain test functions) and pytest.main.
RunnerName = Literal["light", "pytest"]
RequestKind = Literal["script", "tests"]
FAILING_OUTCOMES = ("failed", "timeout")


class ErrorRecord(TypedDict):
    """An exception: its type name, message and (file, line, function) frames, innermost last."""

    type: str
    message: str
    frames: list[list[str | int]]


class _ResultRecordRequired(TypedDict):
    id: str
    outcome: Outcome


class ResultRecord(_ResultRecordRequired, total=False):
    """One test's result ("script" for a script run, "<worker>" or "<collect>" for trouble)."""

    message: str
    line: int | None
    lines: list[int]  # lines of the target executed (only with coverage)
    error: ErrorRecord
    ms: int
    exit: str  # the SystemExit code of a script, when not 0
    collect: bool  # a collection error rather than a test
    # A script run's footprint: its standard output (the first bytes), how many bytes it wrote,
    # and (with `footprint`) how often each line of the target ran, as [line, count] pairs.
    stdout: str
    stdout_bytes: int
    hits: list[list[int]]
    hits_complete: bool  # False when counting stopped at its budget


class StreamRecord(TypedDict, total=False):
    """What a forked child writes to its parent: a test starting, a result, or a marker."""

    start: str
    needs_pytest: str
    done: bool


class RunRequest(TypedDict, total=False):
    """Run the oracle once on the overlaid target (a script run or the tests)."""

    id: int
    kind: RequestKind
    target: str
    tests: list[str]
    args: list[str]
    overlay: dict  # relative path -> text, served by the import hook
    timeout: float  # kills the whole child
    test_timeout: float  # interrupts one test
    coverage: bool
    footprint: bool  # a script run counts how often each line of the target runs
    stop_on_fail: bool
    order: list[str]
    isolate_hangs: bool
    runner: RunnerName
    memory_mb: int | None
    skip: list[str]
    warm: list[str]  # modules to import first (fresh processes only)


class WarmRequest(TypedDict):
    """Import these modules in the long-lived worker, so forked children start warm."""

    id: int
    op: Literal["warm"]
    modules: list[str]


class RunAnswer(TypedDict):
    """The worker's answer to a `RunRequest`."""

    id: int | None
    results: list[ResultRecord]
    runner: RunnerName
    duration_ms: int


class WarmAnswer(TypedDict):
    id: int | None
    ok: bool


class PytestAnswer(TypedDict):
    """The answer of a fresh `python -m pytest`-equivalent run (the proof): pytest's own exit
    status and one record per test report, from pytest's hooks rather than its text output."""

    exit_code: int
    results: list[ResultRecord]
    collected: int
    pytest_missing: bool


def emit(fd: int, record: object) -> None:
    """Write one JSON line to `fd`, whole (os.write may write less than asked)."""
    data = (json.dumps(record) + "\n").encode()
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]
