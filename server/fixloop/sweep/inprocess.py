"""The language server's executor: sweep jobs as tasks of this process, on its shared sandbox.

In the server a sweep's jobs run like the server's own fixes: `run_job_async` in the server's
event loop, up to `workers` at a time, each job's loop on the process's shared sandbox for the
sweep's settings (held for the whole sweep by `run_sweep`), so a sweep opens no sandbox of its
own and starts no worker processes. A job past its deadline is cancelled (the loop kills its
sandbox processes on cancel) and reported as timed out. `--executor local` in the CLI keeps its
worker processes (`fixloop.sweep.local`: true parallelism, one sandbox per worker), and Ray
(`fixloop.sweep.rayexec`) runs jobs in other processes, each opening its own sandbox there.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from fixloop.sweep.model import Job, JobResult
from fixloop.sweep.runner import in_job_order, past_deadline, run_job_async, run_slots

ResultCallback = Callable[[JobResult], None]


class InProcessExecutor:
    """Runs jobs on this event loop, `workers` at a time; `deadline` seconds per job."""

    name = "local"

    def __init__(self, workers: int, deadline: float) -> None:
        self.workers = max(1, workers)
        self.deadline = deadline

    async def run(
        self, snapshot: bytes, project: Path, jobs: Sequence[Job], on_result: ResultCallback
    ) -> list[JobResult]:
        """Run `jobs` on `project`, the sweep's own unpacked snapshot (one project root on
        the shared sandbox for the whole sweep)."""
        queue = list(jobs)
        results: list[JobResult] = []

        async def slot() -> None:
            while queue:
                job = queue.pop(0)
                sent = time.monotonic()
                try:
                    result = await asyncio.wait_for(
                        run_job_async(snapshot, job, project=project), self.deadline
                    )
                except asyncio.TimeoutError:
                    result = past_deadline(job, self.deadline)
                else:
                    result = replace(result, round_trip_ms=int((time.monotonic() - sent) * 1000))
                results.append(result)
                on_result(result)

        await run_slots(min(self.workers, len(jobs)), slot)
        return in_job_order(results, jobs)
