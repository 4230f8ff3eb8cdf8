"""`--executor local`: N worker processes on this machine, each running one job at a time.

Each worker is `python -m fixloop.sweep.worker` in a session of its own, fed the snapshot once
and then jobs over its pipe (see `fixloop.sweep.worker`). Jobs wait in one queue and go to the
first free worker. A job that runs past its deadline is reported as timed out and its worker's
whole process group is killed and replaced; a worker that dies under a job is replaced and the
job retried once, as Ray does for `--executor ray`. Cancelling the sweep kills every worker.
Each worker holds one sandbox for all its jobs; the language server runs jobs in its own process
instead (`fixloop.sweep.inprocess`), on its shared sandbox.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import signal
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

from fixloop.sweep.model import Job, JobResult, Verdict
from fixloop.sweep.runner import in_job_order, local_node, past_deadline, run_slots
from fixloop.sweep.worker import HEADER, MAX_FRAME, encode_frame

ResultCallback = Callable[[JobResult], None]
RETRIES = 1


class _WorkerLost(Exception):
    """The worker process ended without answering."""


class _Worker:
    """One worker process and its pipe."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process

    @classmethod
    async def start(cls, snapshot: bytes, secrets: Mapping[str, str]) -> _Worker:
        from fixloop.secretenv import FD_VARIABLE

        env = {k: v for k, v in os.environ.items() if k != FD_VARIABLE}
        pass_fds: tuple[int, ...] = ()
        read_end = None
        if secrets:
            # As fixloop.secretenv does at start-up: the secrets travel in a pipe, never in
            # the worker's environment (which its sandboxed children could read).
            read_end, write_end = os.pipe()
            with os.fdopen(write_end, "wb") as writer:
                writer.write(json.dumps(dict(secrets)).encode())
            env[FD_VARIABLE] = str(read_end)
            pass_fds = (read_end,)
        try:
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "fixloop.sweep.worker",
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                env=env,
                pass_fds=pass_fds,
                start_new_session=True,
                limit=MAX_FRAME,
            )
        finally:
            if read_end is not None:
                os.close(read_end)
        worker = cls(process)
        await worker.send({"snapshot": base64.b64encode(snapshot).decode()})
        return worker

    async def send(self, value: dict[str, object]) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(encode_frame(value))
        await self.process.stdin.drain()

    async def receive(self) -> dict[str, object]:
        assert self.process.stdout is not None
        try:
            header = await self.process.stdout.readexactly(HEADER.size)
            (size,) = HEADER.unpack(header)
            body = await self.process.stdout.readexactly(size)
        except (asyncio.IncompleteReadError, ConnectionError) as exc:
            raise _WorkerLost(
                f"the worker process ended (status {self.process.returncode})"
            ) from exc
        value = json.loads(body)
        if not isinstance(value, dict):
            raise _WorkerLost("the worker answered with something that is not an object")
        return value

    async def run(self, job: Job) -> JobResult:
        await self.send({"job": job.to_json()})
        raw = (await self.receive()).get("result")
        if not isinstance(raw, dict):
            raise _WorkerLost("the worker answered without a result")
        return JobResult.from_json(raw)

    async def close(self) -> None:
        """End the worker the ordinary way (its jobs' scratch directories are removed), or kill it."""
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            await asyncio.wait_for(self.process.wait(), 10)
        except asyncio.TimeoutError:
            await self.kill()

    async def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.process.wait(), 10)


class LocalExecutor:
    """Runs jobs on `workers` local processes; `deadline` seconds per job before it is stopped."""

    name = "local"

    def __init__(
        self, workers: int, deadline: float, secrets: Mapping[str, str] | None = None
    ) -> None:
        self.workers = max(1, workers)
        self.deadline = deadline
        self._secrets = dict(secrets or {})

    async def run(
        self, snapshot: bytes, jobs: Sequence[Job], on_result: ResultCallback
    ) -> list[JobResult]:
        queue: asyncio.Queue[Job] = asyncio.Queue()
        for job in jobs:
            queue.put_nowait(job)
        results: list[JobResult] = []

        def done(result: JobResult) -> None:
            results.append(result)
            on_result(result)

        await run_slots(min(self.workers, len(jobs)), lambda: self._slot(snapshot, queue, done))
        return in_job_order(results, jobs)

    async def _slot(self, snapshot: bytes, queue: asyncio.Queue[Job], done: ResultCallback) -> None:
        worker: _Worker | None = None
        try:
            while not queue.empty():
                job = queue.get_nowait()
                for attempt in range(RETRIES + 1):
                    if worker is None:
                        worker = await _Worker.start(snapshot, self._secrets)
                    sent = time.monotonic()
                    try:
                        result = await asyncio.wait_for(worker.run(job), self.deadline)
                    except asyncio.TimeoutError:
                        await worker.kill()
                        worker = None
                        done(past_deadline(job, self.deadline))
                        break
                    except (_WorkerLost, BrokenPipeError, ConnectionError) as exc:
                        await worker.kill()
                        worker = None
                        if attempt < RETRIES:
                            continue
                        done(
                            JobResult.stopped(
                                job, Verdict.ERROR, f"{exc}; retried once", node=local_node()
                            )
                        )
                        break
                    done(replace(result, round_trip_ms=int((time.monotonic() - sent) * 1000)))
                    break
        except BaseException:
            # Cancelled (or broken): the job in hand is abandoned, so its worker is killed.
            if worker is not None:
                await worker.kill()
            raise
        if worker is not None:
            await worker.close()
