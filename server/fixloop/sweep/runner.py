"""One fix job on a worker: unpack the snapshot, run the repair loop, return the result as data.

`run_job` is what every executor calls on its worker, a local process or a Ray task: it writes
the snapshot into a fresh private directory, runs `fixloop.loop.run_fix` on the job's module
with the job's failing tests as the oracle (in the sandbox the settings name, on this machine),
and turns the `FixResult` into a `JobResult`: the verdict, the fixed text and diff, the proof,
the transcript's lines, and which node and process ran it. It never raises for a job that goes
wrong: that becomes an `error` verdict with the reason, so one bad job cannot end a sweep.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import tempfile
import time
from pathlib import Path

from fixloop.sweep.model import Job, JobResult, ProofSide, Verdict
from fixloop.sweep.snapshot import unpack

TRANSCRIPT_LIMIT = 2 * 1024 * 1024


def local_node() -> str:
    return f"local:{socket.gethostname()}"


def run_job(snapshot: bytes, job: Job, *, node: str | None = None) -> JobResult:
    """Run `job` on a private copy of the snapshot; blocking (a worker runs one job at a time)."""
    started = time.monotonic()
    where = node or local_node()
    workdir = Path(tempfile.mkdtemp(prefix="fixloop-sweep-job-"))
    try:
        root = workdir / "project"
        unpack(snapshot, root)
        result = asyncio.run(_fix(job, root))
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
        shutil.rmtree(workdir, ignore_errors=True)
    return _job_result(job, result, where, started)


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
        transcript=_transcript(result.transcript),
    )
