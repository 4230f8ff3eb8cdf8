"""One fix job on a worker: unpack the snapshot, run the repair loop, return the result as data.

`run_job_async` is what every executor runs for a job, in a local worker process, in the
language server's own process or (through the blocking `run_job`) in a Ray task: on the snapshot
unpacked (once per process, or per job), it runs `fixloop.loop.run_fix` on the job's module with the
job's failing tests as the oracle (in the sandbox the settings name, on this machine), and turns
the `FixResult` into a `JobResult`: the verdict, the fixed text and diff, the proof, the
transcript's lines, and which node, process and sandbox ran it. The loop runs on the process's
shared sandbox when one is held for the job's settings (`hold_shared_sandbox`), so a process that
runs many jobs opens one sandbox, not one per job. It never raises for a job that goes wrong:
that becomes an `error` verdict with the reason, so one bad job cannot end a sweep.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from fixloop.sandbox.cleanup import shielded
from fixloop.sweep.model import Job, JobResult, JobSettings, ProofSide, Verdict
from fixloop.sweep.snapshot import unpack

if TYPE_CHECKING:
    from fixloop.sandbox.base import Sandbox

TRANSCRIPT_LIMIT = 2 * 1024 * 1024


def local_node() -> str:
    return f"local:{socket.gethostname()}"


def run_job(snapshot: bytes, job: Job, *, node: str | None = None) -> JobResult:
    """`run_job_async` on an event loop of its own (a Ray task: one job, then the loop ends, and
    with it the sandbox the job opened)."""
    return asyncio.run(run_job_async(snapshot, job, node=node))


async def run_job_async(
    snapshot: bytes, job: Job, *, project: Path | None = None, node: str | None = None
) -> JobResult:
    """Run `job` on `project` (the snapshot unpacked once for many jobs: the loop never writes
    the project, it runs its candidates on the sandbox's copies) or on a private copy."""
    started = time.monotonic()
    where = node or local_node()
    workdir = None
    try:
        if project is None:
            workdir = Path(await asyncio.to_thread(tempfile.mkdtemp, prefix="fixloop-sweep-job-"))
            project = workdir / "project"
            await asyncio.to_thread(unpack, snapshot, project)
        result = await _fix(job, project)
    except Exception as exc:  # a job that cannot run is a verdict, not a crash of the sweep
        return JobResult(
            job.id,
            job.target,
            job.tests,
            job.key,
            Verdict.ERROR,
            reason=f"{type(exc).__name__}: {exc}",
            duration_ms=int((time.monotonic() - started) * 1000),
            node=where,
            worker=str(os.getpid()),
        )
    finally:
        if workdir is not None:
            await shielded(asyncio.to_thread(shutil.rmtree, workdir, True))
    return await asyncio.to_thread(_job_result, job, result, where, started)


async def hold_shared_sandbox(settings: JobSettings) -> Sandbox | None:
    """This process's shared sandbox for the jobs' settings, held (`release_shared_sandbox`)
    while jobs run so that each job's loop finds it open; None when it cannot be opened (each
    job's loop then reports the sandbox's clear error as the job's `error` verdict)."""
    from fixloop.execution import acquire_shared
    from fixloop.sandbox import SandboxUnavailable

    try:
        return await acquire_shared(settings.settings(), resident=True)
    except SandboxUnavailable:
        return None


def release_shared_sandbox(sandbox: Sandbox | None) -> None:
    from fixloop.sandbox import shared

    if sandbox is not None:
        shared.release(sandbox)


async def run_slots(count: int, slot: Callable[[], Awaitable[None]]) -> None:
    """Run `count` copies of `slot` (each takes jobs until none is left); a cancel or a failure
    of one ends them all."""
    slots = [asyncio.ensure_future(slot()) for _ in range(count)]
    try:
        await asyncio.gather(*slots)
    finally:
        for task in slots:
            task.cancel()
        await asyncio.gather(*slots, return_exceptions=True)


def in_job_order(results: Sequence[JobResult], jobs: Sequence[Job]) -> list[JobResult]:
    order = {job.id: index for index, job in enumerate(jobs)}
    return sorted(results, key=lambda r: order.get(r.job_id, len(order)))


def past_deadline(job: Job, deadline: float) -> JobResult:
    """The verdict of a job stopped at its deadline."""
    return JobResult.stopped(
        job,
        Verdict.TIMED_OUT,
        f"stopped after {deadline:g}s: the job ran past its budget",
        seconds=deadline,
        node=local_node(),
    )


async def _fix(job: Job, root: Path) -> object:
    from fixloop.fixes import FixRequest
    from fixloop.loop import run_fix

    settings = job.settings.settings()
    request = FixRequest(
        path=Path(job.target), root=root, settings=settings, tests=(*job.tests, *job.guards)
    )
    return await run_fix(request)


def _side(side: object) -> ProofSide | None:
    if side is None:
        return None
    return ProofSide(
        str(getattr(side, "status", "")),
        int(getattr(side, "passed", 0)),
        int(getattr(side, "failed", 0)),
        str(getattr(side, "summary", "")),
    )


def _transcript(path: str | None) -> str:
    """The loop's transcript as text (already redacted); the file stays where the loop put it."""
    if not path:
        return ""
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read(TRANSCRIPT_LIMIT)
    except OSError:
        return ""


def _sandbox_serial(transcript: str) -> int:
    """Which opening of its process's shared sandbox ran the loop, from the loop's `sandbox`
    record (0: a sandbox of its own, or no record)."""
    for line in transcript.splitlines():
        if '"kind": "sandbox"' not in line:
            continue
        try:
            serial = json.loads(line).get("serial")
        except ValueError:
            continue
        return serial if isinstance(serial, int) else 0
    return 0


def _job_result(job: Job, result: object, node: str, started: float) -> JobResult:
    from fixloop.fixes import FixResult

    assert isinstance(result, FixResult)
    if result.nothing_to_fix:
        verdict = Verdict.NOTHING_TO_FIX
    elif result.verified and result.fixed is not None:
        verdict = Verdict.FIXED
    else:
        verdict = Verdict.NOT_FIXED
    proof = result.proof
    transcript = _transcript(result.transcript)
    return JobResult(
        job.id,
        job.target,
        job.tests,
        job.key,
        verdict,
        reason=result.reason or "",
        summary=result.summary,
        diff=result.diff,
        original=result.original if verdict is Verdict.FIXED else "",
        fixed=(result.fixed or "") if verdict is Verdict.FIXED else "",
        proof_command=proof.command if proof else "",
        before=_side(proof.before) if proof else None,
        after=_side(proof.after) if proof else None,
        engine=result.engine,
        candidates=result.candidates_tried,
        duration_ms=int((time.monotonic() - started) * 1000),
        node=node,
        worker=str(os.getpid()),
        transcript=transcript,
        sandbox_serial=_sandbox_serial(transcript),
    )
