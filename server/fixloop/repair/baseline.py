"""Reproducing the failure: the fresh run of the original, and the warm run with coverage.

`reproduce` runs the full oracle once in a fresh process (real pytest, the script, or the
command) to see the failure and to reject unusable oracles, and side by side the same oracle in
the warm workers with line coverage for fault localisation. For tests, the workers first open
the pytest session of the same arguments (`WorkerPool.collect`): collected once, it is the fast
path every candidate runs on. The fast path must see the failing tests the fresh run sees, else
the loop uses a full pytest per candidate in the worker, and says so (`Baseline.note`). Both
runs of the original cut each test's call at `PROVISIONAL_CUT`, so a failing test that hangs
costs about a second, not the run's time limit. The `Baseline` it returns is what every
candidate is compared against, with the order to run tests in (previously failing first,
fastest first) and the time limits a candidate gets, sized from what the original's passing
tests took.
"""

from __future__ import annotations

import ast
import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from fixloop import pyast
from fixloop.observation import Observation
from fixloop.oracle_runs import collect_request
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
# Each test's call in the runs of the original, before any test's time is known: a test that
# takes longer counts as hanging (unless the passing tests are slow too, see `reproduce`).
PROVISIONAL_CUT = 1.0
# Opening the worker's pytest session: importing the project and collecting its tests.
COLLECT_TIMEOUT = 60.0
# Where pytest reads its configuration, and the section that makes a file a pytest config.
PYTEST_CONFIGS = (
    ("pytest.ini", ""),
    (".pytest.ini", ""),
    ("pyproject.toml", "[tool.pytest"),
    ("setup.cfg", "[tool:pytest]"),
    ("tox.ini", "[pytest]"),
)


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
    note: str = ""  # which warm path validates candidates, and why not a faster one

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
    """Limits sized from the original's run: its slowest test, and all tests together (plus,
    for the session, what its fixtures took around the tests, once per child)."""
    finished = [o.ms / 1000 for o in observed.outcomes if o.outcome != "timeout"]
    longest, total = max(finished, default=0.0), sum(finished)
    around = 0.0
    if observed.runner == "session":
        around = max(0.0, observed.duration_ms / 1000 - sum(o.ms for o in observed.outcomes) / 1000)
    if observed.runner not in ("light", "session") or not finished:
        longest = total = max(0.0, observed.duration_ms / 1000)
    test_seconds = min(timeout, max(MIN_TEST_SECONDS, TEST_TIME_FACTOR * longest + 0.2))
    return CandidateLimits(test_seconds, test_seconds + 3 * total + 2 * around + 1.0)


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
            tree = pyast.parse(text)
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


def plain_suite(root: Path, test_files: Sequence[str]) -> bool:
    """No conftest and no pytest configuration: the small runner may serve these tests (it
    asks for pytest itself when a test needs fixtures or marks it does not know)."""
    folders = {root} | {(root / f).parent for f in test_files}
    if any((folder / "conftest.py").exists() for folder in folders):
        return False
    for folder in folders:
        for name, section in PYTEST_CONFIGS:
            path = folder / name
            try:
                text = (
                    path.read_text(encoding="utf-8", errors="replace") if path.is_file() else None
                )
            except OSError:
                text = None
            if text is not None and section in text:
                return False
    return True


async def reproduce(verifier: Verifier, runs: WarmRuns) -> tuple[Observation, Baseline | None]:
    """(the fresh run of the original, the baseline); no baseline when the original passes.

    The warm run goes only where there is a warm path (not for a command oracle); its verdict
    replaces the fresh one only when it sees the failure too.
    """
    prepared, settings = verifier.prepared, verifier.settings
    tests = prepared.oracle.kind == "tests"
    cut = min(settings.timeout, PROVISIONAL_CUT) if tests else None
    fresh_task = asyncio.create_task(verifier.fresh(prepared.source, first=True, test_cut=cut))
    warm_task = None
    if prepared.oracle.kind != "command":
        warm_task = asyncio.create_task(_warm_baseline(runs, cut or settings.timeout))
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
        limits = CandidateLimits(settings.timeout, settings.timeout * 2)
        return fresh, Baseline(fresh, fresh, runs.runner, limits)
    observed, note = await warm_task
    observed, note = await _agree(runs, fresh, observed, note, cut or settings.timeout)
    limits = candidate_limits(observed, settings.timeout)
    if cut and limits.test_seconds > cut and observed.timed_out:
        # The passing tests are slow: what ran past the provisional cut may only be slow too.
        fresh = await verifier.fresh(prepared.source, first=True, test_cut=limits.test_seconds)
        observed = await _observe_original(runs, limits.test_seconds)
        observed, note = await _agree(runs, fresh, observed, note, limits.test_seconds)
        limits = candidate_limits(observed, settings.timeout)
    if observed.ok:
        observed = fresh  # the worker cannot see this failure; keep the fresh verdict
    return fresh, Baseline(fresh, observed, runs.runner, limits, note)


async def passing_baseline(verifier: Verifier, runs: WarmRuns, fresh: Observation) -> Baseline:
    """The baseline of an original that passes its oracle, for a search led by a checker
    diagnostic instead: candidates must keep passing what passes now. The warm run only
    serves when it passes too (a worker that sees a failure pytest does not would refuse every
    candidate); otherwise each candidate's check is a fresh run's verdict compared the same way."""
    settings = verifier.settings
    if verifier.prepared.oracle.kind == "command":
        limits = CandidateLimits(settings.timeout, settings.timeout * 2)
        return Baseline(fresh, fresh, runs.runner, limits)
    observed, note = await _warm_baseline(runs, settings.timeout, expect_pass=True)
    if not observed.ok and runs.runner != "pytest":
        runs.runner = "pytest"
        if runs.pool is not None:
            await runs.pool.warm(["pytest"])
        note = f"the {observed.runner} runner saw a failure on the passing original: full pytest"
        observed = await _observe_original(runs, settings.timeout)
    if not observed.ok:
        observed = fresh
    return Baseline(
        fresh, observed, runs.runner, candidate_limits(observed, settings.timeout), note
    )


async def _agree(
    runs: WarmRuns, fresh: Observation, observed: Observation, note: str, cut: float
) -> tuple[Observation, str]:
    """The warm observation of the original, once it fails the tests the fresh run fails: a
    runner that disagrees gives way to the next, more exact one (the small runner to the
    collected session, the session to a full pytest in the worker)."""
    if not _per_test(fresh):
        return observed, note
    while observed.runner in ("light", "session") and observed.failed != fresh.failed:
        why = (
            f"the {observed.runner} runner saw {_ids(observed.failed)} failing where pytest "
            f"saw {_ids(fresh.failed)}"
        )
        if observed.runner == "light" and runs.pool is not None:
            opened = await open_sessions(runs)
            if runs.runner == "session":
                note = f"{why}; {opened}"
                observed = await _observe_original(runs, cut)
                continue
        runs.runner = "pytest"
        if runs.pool is not None:
            await runs.pool.warm(["pytest"])
        note = f"{why}: each candidate runs a full pytest in the worker instead"
        observed = await _observe_original(runs, cut)
    return observed, note


def _per_test(fresh: Observation) -> bool:
    """The fresh run reported test by test (not a whole run that timed out or broke)."""
    return (
        fresh.runner == "fresh"
        and not any(o.id.startswith("<") for o in fresh.outcomes)
        and (not any(o.id == "pytest" for o in fresh.outcomes))
    )


def _ids(ids: frozenset[str]) -> str:
    shown = sorted(ids)[:3]
    more = f" and {len(ids) - 3} more" if len(ids) > 3 else ""
    return (", ".join(shown) or "nothing") + more


async def _observe_original(runs: WarmRuns, cut: float) -> Observation:
    return await runs.observe(
        runs.prepared.source,
        coverage=True,
        isolate_hangs=True,
        timeout=runs.settings.timeout * 2,
        test_timeout=cut,
        context=True,  # what a model sees of the failure: locals, printed output
    )


async def _warm_baseline(
    runs: WarmRuns, cut: float, *, expect_pass: bool = False
) -> tuple[Observation, str]:
    """The original in the warm workers, and which runner serves candidates (and why).
    `expect_pass`: the original passes its oracle, so a passing warm run agrees with it."""
    prepared = runs.prepared
    tests = prepared.oracle.kind == "tests"
    test_files = sorted({t.split("::")[0] for t in prepared.oracle.tests})
    modules = warm_modules(prepared.root, test_files, [prepared.source])
    plain = tests and plain_suite(prepared.root, test_files)
    if tests and not plain:
        modules.append("pytest")
    note = ""
    if runs.pool is not None:
        await runs.pool.start(modules)
    if plain:
        # Plain test functions: the small runner is faster than pytest's protocol per child.
        observed = await _observe_original(runs, cut)
        agrees = observed.ok if expect_pass else not observed.ok
        if runs.pool is None or (observed.runner == "light" and agrees):
            return observed, "small runner: plain test functions, no conftest or pytest config"
    if tests and runs.pool is not None:
        note = await open_sessions(runs)
    observed = await _observe_original(runs, cut)
    if observed.ok and runs.runner == "light" and tests and not expect_pass:
        # The small runner disagrees with pytest: use pytest inside the worker from now on.
        runs.runner = "pytest"
        observed = await _observe_original(runs, cut)
    return observed, note


async def open_sessions(runs: WarmRuns) -> str:
    """Collect the tests once in every worker; the session becomes the runner where it can."""
    assert runs.pool is not None
    request = collect_request(runs.prepared.oracle, runs.prepared.source)
    answers = await runs.pool.collect(request, timeout=max(COLLECT_TIMEOUT, runs.settings.timeout))
    opened = [answer for answer in answers if answer["ok"]]
    if not opened:
        reasons = sorted({answer["reason"] for answer in answers}) or ["no worker answered"]
        return f"no collected session ({'; '.join(reasons)})"
    runs.runner = "session"
    note = f"collected session: {opened[0]['items']} tests collected once per worker"
    if opened[0]["reexec"]:
        note += f"; a module-level change takes a full pytest run ({opened[0]['reexec']})"
    return note
