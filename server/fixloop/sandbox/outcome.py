"""What a finished sandboxed run amounts to: raw facts (`Outcome`) turned into a `RunResult`.

`classify` decides the `Status` word, which limit was hit (wall clock, CPU, output, memory, file
size, processes) and the parsed error; `sandbox_error` is the result reported when the sandbox
itself failed, never the program. Shared by the local, bwrap and docker backends.
"""

from __future__ import annotations

import signal
from collections.abc import Sequence
from dataclasses import dataclass

from fixloop.sandbox.base import RunResult, Status
from fixloop.sandbox.tracebacks import parse_traceback


@dataclass(frozen=True)
class Outcome:
    """Raw facts about a finished run, before classification."""

    returncode: int | None
    stdout: str
    stderr: str
    truncated: bool
    timed_out: bool
    duration_ms: int
    processes_limited: bool


def classify(
    outcome: Outcome,
    *,
    sandbox: str,
    roots: Sequence[str],
    protected: bool,
    note: str = "",
    signal_offset: int | None = None,
) -> RunResult:
    """Turn raw facts into a `RunResult`: status, which limit was hit, the parsed error.

    `signal_offset` is set by wrappers (bwrap) that report a child killed by signal N as
    exit code offset+N.
    """
    code = outcome.returncode
    signum: int | None = -code if code is not None and code < 0 else None
    if signal_offset is not None and code is not None and code > signal_offset:
        candidate = code - signal_offset
        if candidate in (
            signal.SIGKILL,
            signal.SIGXCPU,
            signal.SIGXFSZ,
            signal.SIGSEGV,
            signal.SIGTERM,
            signal.SIGABRT,
        ):
            signum = candidate
    error = parse_traceback(outcome.stderr, roots)
    tail = outcome.stderr.rstrip().rsplit("\n", 1)[-1] if outcome.stderr.strip() else ""
    limit: str | None = None
    if outcome.timed_out:
        status, limit = Status.TIMEOUT, "wall"
    elif outcome.truncated:
        status, limit = Status.OUTPUT_LIMIT, "output"
    elif signum == signal.SIGXCPU:
        status, limit = Status.TIMEOUT, "cpu"
    elif (error is not None and error.type == "MemoryError") or tail.startswith("MemoryError"):
        status, limit = Status.MEMORY, "memory"
    elif code == 0:
        status = Status.OK
    elif signum is not None:
        status = Status.KILLED
        if signum == signal.SIGXFSZ:
            limit = "file_size"
    else:
        status = Status.ERROR
    if status in (Status.ERROR, Status.KILLED) and limit is None:
        if "[Errno 27] File too large" in outcome.stderr:
            limit = "file_size"
        elif (
            outcome.processes_limited
            or "[Errno 11] Resource temporarily unavailable" in (outcome.stderr)
            or "can't start new thread" in outcome.stderr
        ):
            limit = "processes"
    if status is Status.OK:
        error = None
    return RunResult(
        status=status,
        exit_code=code if signum is None or code is None else -signum,
        stdout=outcome.stdout,
        stderr=outcome.stderr,
        truncated=outcome.truncated,
        duration_ms=outcome.duration_ms,
        sandbox=sandbox,
        error=error,
        limit_hit=limit,
        protected=protected,
        note=note,
    )


def sandbox_error(kind: str, message: str) -> RunResult:
    """The RunResult reported when the sandbox itself failed (never the program)."""
    return RunResult(
        status=Status.SANDBOX_ERROR,
        exit_code=None,
        stdout="",
        stderr="",
        truncated=False,
        duration_ms=0,
        sandbox=kind,
        error=None,
        note=message,
    )
