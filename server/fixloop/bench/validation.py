"""Validation speed on real-world-shaped suites: the warm path against fresh pytest, and hangs.

For each suite of `fixloop.bench.suites` the loop's own parts reproduce the failure (the timed
baseline), then the offline engine's first candidates are validated through the warm workers as
the search does it (previously failing tests first, stop at the first failure, one candidate
per worker at a time), interleaved round by round with fresh `python -m pytest` processes on
some of the same candidates. It prints the median candidates per second of each and their
ratio, measured in the same run. For the suite whose failing tests hang, it prints how many
candidates the search validates within the first 60 seconds of a loop, the baseline included.
No timing is asserted anywhere.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fixloop.bench.suites import Suite, bisect, ledger, plain

FRESH_PER_ROUND = 4
HANG_WINDOW_SECONDS = 60.0


@dataclass(frozen=True)
class Throughput:
    suite: str
    runner: str
    baseline_seconds: float
    warm_rates: tuple[float, ...]  # candidates per second, one per round
    fresh_rates: tuple[float, ...]

    @property
    def ratio(self) -> float:
        return statistics.median(self.warm_rates) / statistics.median(self.fresh_rates)


@dataclass(frozen=True)
class HangWindow:
    baseline_seconds: float
    validated: int
    timed_out: int
    seconds: float
    exhausted: bool


class _Loop:
    """The parts of one repair loop on a suite, up to an open session (no engine running)."""

    def __init__(self, suite: Suite, settings: Any) -> None:
        self.suite = suite
        self.settings = settings

    async def __aenter__(self) -> _Loop:
        from fixloop.fixes import FixRequest, prepare
        from fixloop.repair.budget import Budget
        from fixloop.repair.pool import WorkerPool
        from fixloop.repair.runs import WarmRuns
        from fixloop.repair.verify import Verifier
        from fixloop.sandbox import open_sandbox
        from fixloop.sandbox.base import Limits

        settings = self.settings
        request = FixRequest(
            path=Path(self.suite.target),
            root=self.suite.root,
            settings=settings,
            tests=self.suite.tests,
        )
        self.prepared = prepare(request)
        self.started = time.monotonic()
        self.sandbox = await open_sandbox(settings.sandbox, python=settings.python or None)
        self.pool = WorkerPool(
            self.sandbox,
            self.prepared.root,
            Limits(wall_seconds=settings.budget + 60, memory_mb=settings.memory),
            on_worker=lambda status, reason: None,
        )
        self.budget = Budget(self.started, settings.budget)
        self.runs = WarmRuns(self.sandbox, self.prepared, settings, self.budget, self.pool)
        self.verifier = Verifier(self.sandbox, self.prepared, settings)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.pool.close()
        await self.sandbox.close()

    async def candidates(self) -> tuple[float, Any, list[str]]:
        """(baseline seconds, the baseline, the engine's candidates in its order)."""
        from fixloop.repair.baseline import reproduce
        from fixloop.repair.offline import OfflineEngine
        from fixloop.repair.search import SearchState
        from fixloop.repair.session import open_session
        from fixloop.transcript import Transcript

        _, baseline = await reproduce(self.verifier, self.runs)
        seconds = time.monotonic() - self.started
        if baseline is None:
            raise RuntimeError(f"{self.suite.name}: the original passes")
        transcript = Transcript(f"bench-{self.suite.name}")
        try:
            session = open_session(
                self.prepared,
                baseline,
                budget=self.budget,
                state=SearchState(self.prepared.source),
                runs=self.runs,
                verifier=self.verifier,
                transcript=transcript,
                progress=None,
            )
            texts = [text for text, _ in OfflineEngine()._candidates(session)]
        finally:
            transcript.close()
        return seconds, baseline, texts

    async def validate(self, baseline: Any, texts: list[str]) -> list[Any]:
        """Warm checks of `texts`, one candidate per worker at a time, as the search runs them."""
        order = baseline.test_order()
        width = self.runs.parallelism
        observations = []
        for first in range(0, len(texts), width):
            observations += await asyncio.gather(
                *(
                    self.runs.observe(
                        text,
                        stop_on_fail=True,
                        order=order,
                        timeout=baseline.limits.child_seconds,
                        test_timeout=baseline.limits.test_seconds,
                    )
                    for text in texts[first : first + width]
                )
            )
        return observations

    async def fresh(self, texts: list[str]) -> None:
        from fixloop.oracle_runs import run_pytest_fresh

        for text in texts:
            await run_pytest_fresh(
                self.sandbox,
                self.prepared.root,
                self.prepared.oracle.tests,
                {self.prepared.oracle.target: text},
                self.verifier.limits,
            )


async def throughput(
    suite: Suite, settings: Any, *, rounds: int, per_round: int, session: bool = False
) -> Throughput:
    """Candidates per second on the path the loop chooses, or with `session` on the collected
    session even where the loop keeps the small runner (to compare the two)."""
    async with _Loop(suite, settings) as loop:
        seconds, baseline, texts = await loop.candidates()
        if session and loop.runs.runner != "session":
            from fixloop.repair.baseline import open_sessions

            await open_sessions(loop.runs)
        texts = texts[: rounds * per_round]
        warm_rates, fresh_rates = [], []
        for index in range(rounds):
            chunk = texts[index * per_round : (index + 1) * per_round] or texts[:per_round]
            started = time.monotonic()
            await loop.validate(baseline, chunk)
            warm_rates.append(len(chunk) / (time.monotonic() - started))
            started = time.monotonic()
            await loop.fresh(chunk[:FRESH_PER_ROUND])
            fresh_rates.append(min(FRESH_PER_ROUND, len(chunk)) / (time.monotonic() - started))
        return Throughput(
            suite.name,
            loop.runs.runner,
            seconds,
            tuple(warm_rates),
            tuple(fresh_rates),
        )


async def hang_window(suite: Suite, settings: Any, window: float) -> HangWindow:
    """Candidates validated within `window` seconds of the loop's start, the baseline included."""
    async with _Loop(suite, settings) as loop:
        seconds, baseline, texts = await loop.candidates()
        validated = timed_out = 0
        width = loop.runs.parallelism
        exhausted = True
        for first in range(0, len(texts), width):
            if time.monotonic() - loop.started >= window:
                exhausted = False
                break
            observations = await loop.validate(baseline, texts[first : first + width])
            validated += len(observations)
            timed_out += sum(1 for o in observations if o.timed_out)
        return HangWindow(seconds, validated, timed_out, time.monotonic() - loop.started, exhausted)


SUITES: dict[str, Callable[[Path], Suite]] = {"ledger": ledger, "plain": plain, "bisect": bisect}


def report(settings: Any, *, quick: bool) -> list[str]:
    """Measure and return the printed lines (printed as they come, too)."""
    lines: list[str] = []

    def say(line: str) -> None:
        print(line, flush=True)
        lines.append(line)

    rounds, per_round = (3, 40) if quick else (5, 60)
    window = 20.0 if quick else HANG_WINDOW_SECONDS
    with tempfile.TemporaryDirectory(prefix="fixloop-bench-") as folder:
        base = Path(folder)
        say(f"validation (median of {rounds} rounds; warm and fresh interleaved in each round):")
        for name, session in (("ledger", False), ("plain", False), ("plain", True)):
            suite = SUITES[name](base / f"{name}-{session}")
            result = asyncio.run(
                throughput(suite, settings, rounds=rounds, per_round=per_round, session=session)
            )
            warm = statistics.median(result.warm_rates)
            fresh = statistics.median(result.fresh_rates)
            say(
                f"  {name:7s} runner {result.runner:8s} baseline {result.baseline_seconds:5.2f}s; "
                f"warm {warm:6.1f} candidates/s ({1000 / warm:5.1f} ms each); "
                f"fresh pytest {fresh:4.2f}/s ({1000 / fresh:4.0f} ms each); "
                f"speed-up {result.ratio:4.0f}x"
            )
        suite = SUITES["bisect"](base)
        hang = asyncio.run(hang_window(suite, settings, window))
        end = "the engine ran out of candidates" if hang.exhausted else f"{window:g}s window"
        say(
            f"  hanging bisect: baseline {hang.baseline_seconds:5.2f}s; {hang.validated} candidates "
            f"validated in {hang.seconds:5.1f}s since the loop started ({hang.timed_out} hit "
            f"their cut; {end})"
        )
    return lines
