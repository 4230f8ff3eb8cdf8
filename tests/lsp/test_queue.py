"""The server's work queue on its own: the cap, the order, cancels while queued and while running."""

from __future__ import annotations

import asyncio

import pytest
from fixloop.lsp.queue import LIMIT_VARIABLE, WorkQueue, default_limit
from fixloop.sandbox.cleanup import finish


class Gate:
    """Work that records when it runs and finishes only when the test opens its gate."""

    def __init__(self) -> None:
        self.running: set[str] = set()
        self.started: list[str] = []
        self.most = 0
        self.opened = asyncio.Event()
        self.cleaned: list[str] = []

    async def work(self, name: str, cleanup_steps: int = 0) -> str:
        self.running.add(name)
        self.started.append(name)
        self.most = max(self.most, len(self.running))
        try:
            await self.opened.wait()
            return name
        finally:
            # A clean-up that awaits several times: a second cancel would cut it short.
            for _ in range(cleanup_steps):
                await asyncio.sleep(0)
            self.cleaned.append(name)
            self.running.discard(name)


async def until(check, deadline: float = 5.0) -> None:  # type: ignore[no-untyped-def]
    end = asyncio.get_running_loop().time() + deadline
    while not check():
        assert asyncio.get_running_loop().time() < end, "the state was never reached"
        await asyncio.sleep(0.001)


async def test_at_most_the_cap_runs_and_the_rest_start_in_order() -> None:
    queue, gate = WorkQueue(limit=2), Gate()
    told: dict[str, list[str]] = {}
    jobs = [
        asyncio.ensure_future(queue.run(gate.work(f"w{i}"), told.setdefault(f"w{i}", []).append))
        for i in range(6)
    ]
    await until(lambda: len(gate.started) == 2)
    assert queue.running == 2 and queue.queued == 4
    assert told["w0"] == [] and told["w2"][0].startswith("queued: 0 waiting ahead")
    assert told["w5"][0].startswith("queued: 3 waiting ahead")
    gate.opened.set()
    assert await asyncio.gather(*jobs) == [f"w{i}" for i in range(6)]
    assert gate.started == [f"w{i}" for i in range(6)]  # first come, first served
    assert gate.most == 2
    assert told["w3"][-1].startswith("started after")
    assert queue.running == 0 and queue.queued == 0


async def test_work_cancelled_while_queued_never_starts_and_frees_nothing_twice() -> None:
    queue, gate = WorkQueue(limit=1), Gate()
    first = asyncio.ensure_future(queue.run(gate.work("first")))
    await until(lambda: gate.started == ["first"])
    waiting = asyncio.ensure_future(queue.run(gate.work("never")))
    third = asyncio.ensure_future(queue.run(gate.work("third")))
    await until(lambda: queue.queued == 2)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    gate.opened.set()
    assert await first == "first" and await third == "third"
    assert gate.started == ["first", "third"]
    assert queue.running == 0 and queue.queued == 0


async def test_a_storm_of_cancels_reaches_the_work_once_and_waits_for_its_cleanup() -> None:
    queue, gate = WorkQueue(limit=1), Gate()
    job = asyncio.ensure_future(queue.run(gate.work("busy", cleanup_steps=50)))
    await until(lambda: gate.started == ["busy"])
    for _ in range(100):
        job.cancel()
        await asyncio.sleep(0)
    with pytest.raises(asyncio.CancelledError):
        await job
    assert gate.cleaned == ["busy"]  # the whole clean-up ran, however many cancels came
    assert queue.running == 0
    # The slot is free again.
    gate.opened.set()
    assert await queue.run(gate.work("next")) == "next"


async def test_finish_without_forwarding_shields_the_work_entirely() -> None:
    gate = Gate()
    job = asyncio.ensure_future(finish(gate.work("cleanup", cleanup_steps=5)))
    await until(lambda: gate.started == ["cleanup"])
    job.cancel()
    await asyncio.sleep(0)
    assert gate.cleaned == []  # not forwarded: the work goes on
    gate.opened.set()
    with pytest.raises(asyncio.CancelledError):
        await job  # the caller's cancel is still reported once the work is done
    assert gate.cleaned == ["cleanup"]


def test_the_limit_comes_from_the_environment_or_the_cores(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(LIMIT_VARIABLE, "3")
    assert default_limit() == 3
    import os

    cores = len(os.sched_getaffinity(0))
    for bad in ("0", "-2", "many", ""):
        monkeypatch.setenv(LIMIT_VARIABLE, bad)
        assert default_limit() == cores
