"""One forked child per request: the parent's side of a warm validation run.

A child is forked ahead of time (a spare waiting on a pipe), so the fork is off the critical
path. It gets the request, runs it (`dispatch`: in the collected session when the worker holds
one, else with the script, small or pytest runner on the modules the worker had before any
session) and streams records back; the parent enforces
the request's wall-clock limit and kills the child's whole process group when it runs away, so a
hanging candidate costs one timeout. `serve` turns the records of one request into an answer:
it notes which test was running when a child hung or crashed, re-runs the rest without it when
hangs are isolated, switches to pytest when the small runner asks for it, and passes on how a
session child put the candidate in place. Standard library only.
"""

from __future__ import annotations

import gc
import json
import os
import select
import signal
import time
from collections.abc import Callable
from typing import Any

from .coverage import Coverage
from .errors import ROOT, error_info
from .light import NeedsPytest, run_light
from .limits import limit_memory
from .protocol import ResultRecord, RunAnswer, RunRequest, SwapKind, emit
from .pytest_runner import run_pytest
from .script import run_script
from .session import restore_slate, run_request
from .strict import snapshot

# More finished children than this waiting to be reaped, and the parent reaps them blocking.
MAX_PENDING = 16
# How long past its cut a test's call may run before the parent kills the child: the soft
# alarm gets this long to interrupt it and report the test as a timeout itself.
CALL_GRACE = 1.0
_PENDING: list[int] = []  # finished children not reaped yet
_SPARE: list[tuple[int, int, int]] = []  # one child forked ahead of time: (pid, request, result)


def dispatch(request: RunRequest, out: int) -> None:
    """Run one request in this process, writing records to `out`."""
    target = request.get("target")
    coverage = Coverage(os.path.join(ROOT, target)) if request.get("coverage") and target else None
    if request.get("runner") == "session" and request["kind"] == "tests":
        run_request(request, out, coverage)
        return
    restore_slate()  # the other runners import the project afresh, as a fresh process would
    if request["kind"] == "script":
        run_script(request, out, coverage)
    elif request.get("runner") == "pytest":
        run_pytest(request, out, coverage)
    else:
        try:
            run_light(request, out, coverage)
        except NeedsPytest as why:
            emit(out, {"needs_pytest": str(why)})


def _child(request: RunRequest, out: int) -> None:
    os.setpgid(0, 0)
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)
    os.dup2(null, 1)
    os.dup2(null, 2)
    try:
        limit_memory(request.get("memory_mb"))
        dispatch(request, out)
    except BaseException as exc:  # report, never hang
        emit(out, {"id": "<worker>", "outcome": "failed", "error": error_info(exc)})
    emit(out, {"done": True})


def _read_records(
    fd: int, pid: int, deadline: float, call_limit: float | None
) -> tuple[list[Any], bool, int]:
    """Read JSON lines from a child until it says done, exits, or a deadline passes: the
    child's, or `call_limit` after a test's call began (a hang its soft cut cannot break,
    such as one inside C code, costs that much rather than the whole child's limit)."""
    records: list[Any] = []
    buffer, timed_out = b"", False
    call_deadline = float("inf")
    reap()
    while True:
        remaining = min(deadline, call_deadline) - time.monotonic()
        if remaining <= 0:
            timed_out = True
            break
        ready, _, _ = select.select([fd], [], [], remaining)
        if not ready:
            continue
        chunk = os.read(fd, 65536)
        if not chunk:
            break
        buffer += chunk
        *lines, buffer = buffer.split(b"\n")
        for line in lines:
            if line:
                record = json.loads(line)
                records.append(record)
                if "call" in record and call_limit is not None:
                    call_deadline = time.monotonic() + call_limit
                elif "id" in record:
                    call_deadline = float("inf")
        if records and records[-1].get("done"):
            # Finished: kill leftovers now, reap later, so teardown stays off the critical path.
            try:
                os.killpg(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            _PENDING.append(pid)
            return records[:-1], False, 0
    if timed_out:
        try:
            os.killpg(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    _, status = os.waitpid(pid, 0)
    return records, timed_out, status


def reap() -> None:
    for pid in list(_PENDING):
        try:
            done, _ = os.waitpid(pid, os.WNOHANG if len(_PENDING) < MAX_PENDING else 0)
        except ChildProcessError:
            done = pid
        if done:
            _PENDING.remove(pid)


def _spawn() -> tuple[int, int, int]:
    """Fork a child that waits for one request on a pipe, so the fork is off the critical path."""
    request_read, request_write = os.pipe()
    result_read, result_write = os.pipe()
    pid = os.fork()
    if pid == 0:
        # Collections would touch (and so copy) every page shared with the parent.
        gc.disable()
        os.close(request_write)
        os.close(result_read)
        chunks = []
        while True:
            chunk = os.read(request_read, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
        try:
            if chunks:
                _child(json.loads(b"".join(chunks)), result_write)
        finally:
            os._exit(0)
    os.close(request_read)
    os.close(result_write)
    try:
        os.setpgid(pid, pid)
    except OSError:
        pass  # the child already did it, or already exited
    return pid, request_write, result_read


def prepare_spare() -> None:
    if not _SPARE:
        _SPARE.append(_spawn())


def drop_spare() -> None:
    while _SPARE:
        pid, request_write, result_read = _SPARE.pop()
        os.close(request_write)
        os.close(result_read)
        os.waitpid(pid, 0)


def _fork_run(request: RunRequest, timeout: float) -> tuple[list[Any], bool, int]:
    pid, request_write, result_read = _SPARE.pop() if _SPARE else _spawn()
    view = memoryview(json.dumps(request).encode())
    while view:
        view = view[os.write(request_write, view) :]
    os.close(request_write)
    cut = request.get("test_timeout")
    call_limit = cut + CALL_GRACE if cut else None
    records, timed_out, status = _read_records(
        result_read, pid, time.monotonic() + timeout, call_limit
    )
    os.close(result_read)
    return records, timed_out, status


def serve(request: RunRequest, run_inline: Callable[[RunRequest], list[Any]] | None) -> RunAnswer:
    """Answer one request: in forked children, or with `run_inline` in this process."""
    started = time.monotonic()
    if snapshot(request.get("tests", [])) and run_inline is None:
        drop_spare()  # forked before the test files were read: it must not serve them
    timeout = float(request.get("timeout", 10.0))
    results: list[ResultRecord] = []
    skip = list(request.get("skip", []))
    switched = False
    swap: SwapKind = "none"
    fallback = ""
    while True:
        attempt: RunRequest = {**request, "skip": skip}
        if run_inline is None:
            records, timed_out, status = _fork_run(attempt, timeout)
        else:
            records, timed_out, status = run_inline(attempt), False, 0
        if any("needs_pytest" in r for r in records) and request.get("runner") != "pytest":
            request = {**request, "runner": "pytest"}
            switched = True
            continue
        running = None
        for record in records:
            if "swap" in record:
                swap = record["swap"]
                fallback = record.get("fallback", fallback)
            elif "start" in record:
                running = record["start"]
            elif "id" in record:
                results.append(record)
                if record["id"] == running:
                    running = None
        if running is None and (timed_out or not records):
            running = "<worker>"  # died or hung before it started any test
        if running is None:
            if status and os.WIFSIGNALED(status) and not timed_out:
                crash: ResultRecord = {
                    "id": "<worker>",
                    "outcome": "failed",
                    "error": {
                        "type": "Crash",
                        "message": f"signal {os.WTERMSIG(status)}",
                        "frames": [],
                    },
                }
                results.append(crash)
            break
        lost: ResultRecord = {
            "id": running,
            "outcome": "timeout" if timed_out else "failed",
            "message": "timed out" if timed_out else "crashed",
        }
        results.append(lost)
        if (
            request.get("stop_on_fail")
            or not request.get("isolate_hangs")
            or running in ("script", "<worker>")
        ):
            break
        skip = skip + [r["id"] for r in results]
    return {
        "id": request.get("id"),
        "results": results,
        "runner": "pytest" if switched else request.get("runner", "light"),
        "duration_ms": int((time.monotonic() - started) * 1000),
        "swap": swap,
        "fallback": fallback,
    }
