"""The warm workers of one repair loop: started together, lent one request at a time.

`WorkerPool` starts up to `PARALLEL_WORKERS` warm workers in the loop's sandbox and keeps the
idle ones in a queue. `run` lends an idle worker to one request and takes it back; a worker that
does not start, or breaks (dies, hangs past its limit, answers garbage), is reported through
`on_worker` ("unavailable" or "broken", and why) and never lent again, and `run` then answers
None so the caller falls back to a fresh process. `collect` opens the pytest session in every
worker at once (`WarmWorker.collect`). `parallelism` is how many candidates can be validated
side by side right now.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Sequence
from pathlib import Path

from fixloop.repair.warm import WarmWorker
from fixloop.sandbox.base import Limits, Sandbox
from fixloop.sandbox_worker.protocol import CollectAnswer, CollectRequest, RunAnswer, RunRequest

# Warm workers validating candidates side by side (one per core, at most two).
PARALLEL_WORKERS = max(1, min(2, os.cpu_count() or 1))


class WorkerPool:
    def __init__(
        self,
        sandbox: Sandbox,
        root: Path,
        limits: Limits,
        *,
        on_worker: Callable[[str, str], None],
        size: int = PARALLEL_WORKERS,
        pristine: tuple[str, ...] = (),
    ) -> None:
        self._workers = [WarmWorker(sandbox, root, limits, pristine) for _ in range(size)]
        self._idle: asyncio.Queue[WarmWorker] = asyncio.Queue()
        self._on_worker = on_worker

    async def start(self, modules: Sequence[str]) -> None:
        """Start every worker warmed with `modules`."""
        started = await asyncio.gather(*(worker.start(modules) for worker in self._workers))
        for worker, ok in zip(self._workers, started, strict=True):
            if ok:
                self._idle.put_nowait(worker)
            else:
                self._on_worker("unavailable", worker.reason)

    async def warm(self, modules: Sequence[str]) -> None:
        """Import more modules in every live worker (say, pytest once the tests need it)."""
        for worker in self._workers:
            if not worker.broken:
                await worker.warm(modules)

    async def collect(self, request: CollectRequest, *, timeout: float) -> list[CollectAnswer]:
        """Open the pytest session in every live worker, side by side; the answers of those
        that did not break (a worker whose session is refused still serves other runners)."""
        live = [worker for worker in self._workers if not worker.broken]
        answers = await asyncio.gather(*(w.collect(request, timeout=timeout) for w in live))
        for worker, answer in zip(live, answers, strict=True):
            if answer is None:
                self._on_worker("broken", worker.reason)
        return [answer for answer in answers if answer is not None]

    @property
    def parallelism(self) -> int:
        return max(1, sum(1 for worker in self._workers if not worker.broken))

    @property
    def available(self) -> bool:
        return any(not worker.broken for worker in self._workers)

    async def run(self, request: RunRequest, *, timeout: float) -> RunAnswer | None:
        """Serve `request` on an idle worker; None when no worker could answer it."""
        worker = await self._acquire()
        if worker is None:
            return None
        try:
            answer = await worker.run(request, timeout=timeout)
        finally:
            self._idle.put_nowait(worker)
        if answer is None:
            self._on_worker("broken", worker.reason)
        return answer

    async def _acquire(self) -> WarmWorker | None:
        while self.available:
            worker = await self._idle.get()
            if not worker.broken:
                return worker
        return None

    async def close(self) -> None:
        for worker in self._workers:
            await worker.close()
        self._workers = []
