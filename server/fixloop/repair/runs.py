"""Warm runs of the oracle on a version of the target: on a pooled warm worker, else fresh.

`WarmRuns` builds one worker request (which runner, coverage, order, stop at the first failure,
per-test and per-child limits), serves it on the loop's `WorkerPool` and, when no warm worker
can answer (none started, or it broke), serves it in a fresh worker process instead, so a
broken worker costs speed, never a verdict. With the collected session as the runner it counts
how each candidate was put in place (`swaps`), and reports through `on_note` the first time a
reason sends candidates down the slow, exact path (a full pytest run in the worker).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence

from fixloop.fixes import PreparedRequest
from fixloop.observation import Observation, observation_from_answer
from fixloop.oracle_runs import CHECK_HASH_SEED, observe_fresh_worker, worker_request
from fixloop.repair.budget import Budget
from fixloop.repair.pool import WorkerPool
from fixloop.sandbox.base import Limits, Sandbox
from fixloop.sandbox_worker.protocol import RunAnswer, RunnerName
from fixloop.settings import Settings

# Extra seconds a fresh fallback process gets beyond the child's own limit, for start-up.
FRESH_FALLBACK_GRACE = 5.0
# Distinct fallback reasons worth a note each; more would only repeat themselves.
MAX_NOTED_FALLBACKS = 5


def _ignore_note(message: str) -> None:
    return None


class WarmRuns:
    def __init__(
        self,
        sandbox: Sandbox,
        prepared: PreparedRequest,
        settings: Settings,
        budget: Budget,
        pool: WorkerPool | None,
        *,
        on_note: Callable[[str], None] = _ignore_note,
    ) -> None:
        self.sandbox = sandbox
        self.prepared = prepared
        self.settings = settings
        self.budget = budget
        self.pool = pool
        self.runner: RunnerName = "light"
        self.swaps: Counter[str] = Counter()  # how session children put candidates in place
        self.on_note = on_note
        self._noted: set[str] = set()

    @property
    def parallelism(self) -> int:
        if self.pool is None or self.prepared.oracle.kind == "command":
            return 1
        return self.pool.parallelism

    async def observe(
        self,
        text: str,
        *,
        coverage: bool = False,
        isolate_hangs: bool = False,
        stop_on_fail: bool = False,
        order: Sequence[str] = (),
        timeout: float,
        test_timeout: float | None = None,
        runner: RunnerName | None = None,
        context: bool = False,
        footprint: bool = False,
    ) -> Observation:
        """The oracle on `text`; `timeout` bounds the child, `test_timeout` each test; with
        `context`, failing tests also report their locals and printed output; `footprint`
        counts the lines a script run runs."""
        request = worker_request(
            self.prepared.oracle,
            overlay={self.prepared.oracle.target: text},
            timeout=timeout,
            coverage=coverage,
            stop_on_fail=stop_on_fail,
            order=order,
            isolate_hangs=isolate_hangs,
            runner=runner or self.runner,
            memory_mb=self.settings.memory,
            test_timeout=test_timeout,
            context=context,
            footprint=footprint,
        )
        if self.pool is not None:
            # With isolate_hangs the worker may need one hard timeout per hanging test.
            wait = max(timeout, self.budget.wait_allowance()) if isolate_hangs else timeout
            answer = await self.pool.run(request, timeout=wait)
            if answer is not None:
                self._count(answer)
                return observation_from_answer(answer)
        limits = Limits(wall_seconds=timeout + FRESH_FALLBACK_GRACE, memory_mb=self.settings.memory)
        return await observe_fresh_worker(
            self.sandbox, self.prepared.root, request, limits, hash_seed=CHECK_HASH_SEED
        )

    def _count(self, answer: RunAnswer) -> None:
        if answer.get("runner") != "session":
            return
        swap = answer.get("swap", "none")
        self.swaps[swap] += 1
        reason = answer.get("fallback", "")
        if reason and reason not in self._noted and len(self._noted) < MAX_NOTED_FALLBACKS:
            self._noted.add(reason)
            self.on_note(f"a candidate took the full pytest run in the worker: {reason}")
