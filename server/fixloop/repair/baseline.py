"""Reproducing the failure: the fresh run of the original, and the warm run with coverage.

`reproduce` runs the full oracle once in a fresh process (real pytest, the script, or the
command) to see the failure and to reject unusable oracles, and side by side the same oracle in
the warm workers with line coverage for fault localisation (a hanging original then costs one
timeout, not two). The `Baseline` it returns is what every candidate is compared against, with
the order to run tests in (previously failing first, fastest first) and the time limits a
candidate gets, sized from what the original took.
"""

from __future__ import annotations

import ast
import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from fixloop.observation import Observation
from fixloop.repair.runs import WarmRuns
from fixloop.repair.verify import Verifier
from fixloop.sandbox_worker.protocol import RunnerName

# Modules the worker imports once so that forked children start warm (plus what the code imports).
WARM_MODULES = (
    "json",
    "re",
    "math",
    "collections",
    "itertools",
    "functools",
    "typing",
    "dataclasses",
    "string",
    "copy",
    "enum",
    "pathlib",
    "tempfile",
    "inspect",
)
# A candidate may take a few times what the original took, never the whole budget.
MIN_TEST_SECONDS = 0.25
TEST_TIME_FACTOR = 4


@dataclass(frozen=True)
class CandidateLimits:
    """Time limits of one candidate's warm run: per test (soft, the test is interrupted and
    counts as a timeout) and for the whole child (hard, the child is killed)."""

    test_seconds: float
    child_seconds: float


@dataclass(frozen=True)
class Baseline:
    fresh: Observation  # the fresh full-oracle run of the original
    observed: Observation  # what candidates are compared with (warm, with coverage, or fresh)
    runner: RunnerName  # the in-worker runner that sees the failure
    limits: CandidateLimits

    @property
    def hanging(self) -> frozenset[str]:
        """Tests that ran out of time on the original (where a per-test cut pays off)."""
        return frozenset(o.id for o in self.observed.outcomes if o.outcome == "timeout")

    def test_order(self) -> list[str]:
        """Previously failing tests first, fastest first, so a bad candidate fails early."""
        outcomes = sorted(self.observed.outcomes, key=lambda o: (o.ms, o.id))
        failing = [o.id for o in outcomes if o.failing]
        return failing + [o.id for o in outcomes if o.outcome == "passed"]


def candidate_limits(observed: Observation, timeout: float) -> CandidateLimits:
    """Limits sized from the original's run: its slowest test, and all tests together."""
    finished = [o.ms / 1000 for o in observed.outcomes if o.outcome != "timeout"]
    longest, total = max(finished, default=0.0), sum(finished)
    if observed.runner != "light" or not finished:
        longest = total = max(0.0, observed.duration_ms / 1000)
    test_seconds = min(timeout, max(MIN_TEST_SECONDS, TEST_TIME_FACTOR * longest + 0.2))
    return CandidateLimits(test_seconds, test_seconds + 3 * total + 1.0)


def warm_modules(root: Path, files: Sequence[str], sources: Sequence[str] = ()) -> list[str]:
    """WARM_MODULES plus the top-level modules the target and tests import that are not the
    project's own (those must be re-imported per candidate, never cached in the worker)."""
    names = list(WARM_MODULES)
    texts = list(sources)
    for file in files:
        try:
            texts.append((root / file).read_text(encoding="utf-8", errors="replace"))
        except OSError:
            continue
    for text in texts:
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                modules = [node.module]
            else:
                continue
            for module in modules:
                top = module.split(".")[0]
                if (root / f"{top}.py").exists() or (root / top).is_dir():
                    continue
                names.append(module)
    return list(dict.fromkeys(names))


def has_conftest(root: Path, test_files: Sequence[str]) -> bool:
    folders = {root} | {(root / f).parent for f in test_files}
    return any((folder / "conftest.py").exists() for folder in folders)


async def reproduce(verifier: Verifier, runs: WarmRuns) -> tuple[Observation, Baseline | None]:
    """(the fresh run of the original, the baseline); no baseline when the original passes.

    The warm run goes only where there is a warm path (not for a command oracle); its verdict
    replaces the fresh one only when it sees the failure too.
    """
    prepared = verifier.prepared
    fresh_task = asyncio.create_task(verifier.fresh(prepared.source, first=True))
    warm_task = None
    if prepared.oracle.kind != "command":
        warm_task = asyncio.create_task(_warm_baseline(runs))
    try:
        fresh = await fresh_task
    except BaseException:
        if warm_task is not None:
            warm_task.cancel()
            await asyncio.gather(warm_task, return_exceptions=True)
        raise
    if fresh.ok or warm_task is None:
        if warm_task is not None:
            warm_task.cancel()
            await asyncio.gather(warm_task, return_exceptions=True)
        if fresh.ok:
            return fresh, None
        limits = CandidateLimits(verifier.settings.timeout, verifier.settings.timeout * 2)
        return fresh, Baseline(fresh, fresh, runs.runner, limits)
    observed = await warm_task
    if observed.ok:
        observed = fresh  # the worker cannot see this failure; keep the fresh verdict
    if observed.runner in ("light", "pytest"):
        runs.runner = "pytest" if observed.runner == "pytest" else "light"
    limits = candidate_limits(observed, verifier.settings.timeout)
    return fresh, Baseline(fresh, observed, runs.runner, limits)


async def _warm_baseline(runs: WarmRuns) -> Observation:
    prepared, settings = runs.prepared, runs.settings
    test_files = sorted({t.split("::")[0] for t in prepared.oracle.tests})
    modules = warm_modules(prepared.root, test_files, [prepared.source])
    if prepared.oracle.kind == "tests" and has_conftest(prepared.root, test_files):
        modules.append("pytest")
    if runs.pool is not None:
        await runs.pool.start(modules)

    async def observe_original() -> Observation:
        return await runs.observe(
            prepared.source,
            coverage=True,
            isolate_hangs=True,
            timeout=settings.timeout * 2,
            test_timeout=settings.timeout,
            context=True,  # what a model sees of the failure: locals, printed output
        )

    observed = await observe_original()
    if observed.ok and runs.runner == "light" and prepared.oracle.kind == "tests":
        # The small runner disagrees with pytest: use pytest inside the worker from now on.
        runs.runner = "pytest"
        observed = await observe_original()
    if observed.runner == "pytest" and "pytest" not in modules and runs.pool is not None:
        await runs.pool.warm(["pytest"])
    return observed
