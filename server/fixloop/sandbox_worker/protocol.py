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
# The in-worker runners: the small one (plain test functions), pytest.main per request, and the
# session collected once in the worker whose items each forked child runs on the candidate.
RunnerName = Literal["light", "pytest", "session"]
# How a session child put the candidate in place: not needed (the collected version itself),
# function code swapped in place, the module re-executed, or a full pytest run instead.
SwapKind = Literal["none", "patched", "reexec", "full"]
RequestKind = Literal["script", "tests"]
FAILING_OUTCOMES = ("failed", "timeout")


class ErrorRecord(TypedDict):
    """An exception: its type name, message and (file, line, function) frames, innermost last."""

    type: str
    message: str
    frames: list[list[str | int]]


class LocalsRecord(TypedDict):
    """The local variables of the deepest frame inside the target when a failure happened: where
    that frame was, (name, short repr) pairs, and how many locals were left out."""

    file: str
    line: int
    function: str
    values: list[list[str]]
    omitted: int


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
    # What a failure looked like, for the model (failing records only, a bounded number per run):
    detail: str  # pytest's explanation: the failing source lines and its `E` lines
    output: str  # printed before the failure (head and tail); only with `context`
    params: list[list[str]]  # (name, short repr) of the parametrize values of this case
    locals: LocalsRecord  # the target's deepest frame; only with `context`
    # A script run's footprint: its standard output (the first bytes), how many bytes it wrote,
    # and (with `footprint`) how often each line of the target ran, as [line, count] pairs.
    stdout: str
    stdout_bytes: int
    hits: list[list[int]]
    hits_complete: bool  # False when counting stopped at its budget


class StreamRecord(TypedDict, total=False):
    """What a forked child writes to its parent: a test starting, a result, or a marker."""

    start: str  # a test begins (its setup, with pytest)
    call: str  # its call begins: from here on the test's cut applies
    needs_pytest: str
    swap: SwapKind  # how a session child put the candidate in place
    fallback: str  # why a session child ran a full pytest instead
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
    context: bool  # also report a failure's locals and printed output (the baseline run)


class CollectRequest(TypedDict):
    """Open the pytest session of `python -m pytest ARGS` in the long-lived worker, with the
    target's text from `overlay`: configured and collected once, its items kept for children."""

    id: int
    op: Literal["collect"]
    args: list[str]
    target: str
    overlay: dict  # relative path -> text, as in a RunRequest


class CollectAnswer(TypedDict):
    """Whether the session can serve requests (`ok`), else why not; how many items it holds;
    and why a candidate that changes module-level code cannot be re-executed in place (empty
    when it can), so the host can say which candidates will take the slow path."""

    id: int | None
    ok: bool
    reason: str
    items: int
    reexec: str


class WarmRequest(TypedDict):
    """Import these modules in the long-lived worker, so forked children start warm."""

    id: int
    op: Literal["warm"]
    modules: list[str]


class RunAnswer(TypedDict):
    """The worker's answer to a `RunRequest`; `swap` and `fallback` as the child reported them."""

    id: int | None
    results: list[ResultRecord]
    runner: RunnerName
    duration_ms: int
    swap: SwapKind
    fallback: str


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
