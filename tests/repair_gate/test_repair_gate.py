"""The CI gate of `fixloop bench repair`: the cases the committed baseline marks as fixed still
verify, and no verified fix, on any case of either corpus, fails the case's hidden checks.

Each case runs through the real loop (`run_fix`, offline engine, the sandbox of
`FIXLOOP_REPAIR_SANDBOX`, default auto), then its hidden checks run on a copy with the fix
applied (`fixloop.bench.corpus_run.repair_case`). Cases the baseline expects to fail get a small
budget: they are there to catch a wrong fix, not to be waited for. The runs are computed for the
selected cases by a small pool in the background while the first assertions wait.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace

import pytest
from fixloop.bench.corpora import Case, all_cases
from fixloop.bench.corpus_run import (
    BASELINE_FILE,
    CaseRun,
    load_baseline,
    repair_case,
)
from fixloop.settings import Settings

CASES = all_cases()
BY_ID = {case.id: case for case in CASES}
FIXED = load_baseline()
SETTINGS = Settings(
    engine="offline",
    sandbox=os.environ.get("FIXLOOP_REPAIR_SANDBOX", "auto"),
    budget=60.0,
    timeout=10.0,
)
EXPECTED_TO_FAIL_BUDGET = 6.0
# Two loops at once keep two cores busy (much of a loop waits on process start-up); more would
# only slow each loop down and stretch its time limits.
POOL_SIZE = 2 if (os.cpu_count() or 1) >= 2 else 1


def _run(case: Case) -> CaseRun:
    settings = SETTINGS if case.id in FIXED else replace(SETTINGS, budget=EXPECTED_TO_FAIL_BUDGET)
    return asyncio.run(repair_case(case, settings))


@pytest.fixture(scope="session")
def gate_runs(request: pytest.FixtureRequest) -> Iterator[dict[str, Future[CaseRun]]]:
    wanted: list[str] = []
    for item in request.session.items:
        callspec = getattr(item, "callspec", None)
        if callspec is not None and "gate_runs" in getattr(item, "fixturenames", ()):
            case = callspec.params.get("case")
            if isinstance(case, Case) and case.id not in wanted:
                wanted.append(case.id)
    # The expected fixes first: a regression shows up early.
    wanted.sort(key=lambda name: name not in FIXED)
    with ThreadPoolExecutor(max_workers=POOL_SIZE) as pool:
        futures = {name: pool.submit(_run, BY_ID[name]) for name in wanted}
        yield futures
        for future in futures.values():
            future.cancel()


def test_the_baseline_names_only_cases_that_exist() -> None:
    assert BASELINE_FILE.is_file(), "the committed baseline of fixed cases is missing"
    assert FIXED, "the baseline marks no case as fixed"
    assert FIXED <= BY_ID.keys(), f"unknown cases: {sorted(FIXED - BY_ID.keys())}"


@pytest.mark.slow
@pytest.mark.parametrize("case", [pytest.param(c, id=c.id) for c in CASES])
def test_the_offline_engine_keeps_its_fixes_and_makes_no_wrong_one(
    case: Case, gate_runs: dict[str, Future[CaseRun]]
) -> None:
    run = gate_runs[case.id].result()
    if case.id in FIXED:
        assert run.verified, f"the baseline marks {case.id} as fixed, but: {run.summary}"
    assert not run.wrong, (
        f"{case.id}: the verified fix ({run.summary}) fails the hidden checks:\n{run.hidden_output}"
    )
