"""The loop on real-world-shaped suites: which warm path validates candidates, hangs, parity.

- A suite with a conftest and pytest configuration is validated on the collected session and
  gets fixed; a plain suite keeps the small runner.
- When every failing test of the original hangs, each is cut at the provisional cut in both
  runs of the original and reported as its own timeout, candidates get a cut derived from the
  passing tests' times, and the search tries candidates and finds the fix.
- When the session sees other failing tests than a fresh pytest (here a test that can tell the
  two processes apart), the loop validates with a full pytest in the worker and says why.
"""

from __future__ import annotations

import json
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest
from fixloop.bench.suites import Suite, bisect, ledger, plain
from fixloop.fixes import FixRequest, FixResult, prepare
from fixloop.loop import run_fix
from fixloop.repair.baseline import MIN_TEST_SECONDS, PROVISIONAL_CUT, reproduce
from fixloop.repair.budget import Budget
from fixloop.repair.pool import WorkerPool
from fixloop.repair.runs import WarmRuns
from fixloop.repair.verify import Verifier
from fixloop.sandbox import open_sandbox
from fixloop.sandbox.base import Limits
from fixloop.settings import Settings

from .conftest import SANDBOX


def transcript_records(path: str | None) -> list[dict[str, Any]]:
    assert path is not None
    return [json.loads(line) for line in Path(path).read_text().splitlines()]


def kind(records: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    return [record for record in records if record["kind"] == name]


async def fix(suite: Suite, **settings: Any) -> FixResult:
    return await run_fix(
        FixRequest(
            path=Path(suite.target),
            root=suite.root,
            tests=suite.tests,
            settings=Settings(sandbox=SANDBOX, engine="offline", budget=120.0, **settings),
        )
    )


@pytest.mark.slow
@pytest.mark.parametrize(("make", "runner"), [(ledger, "session"), (plain, "light")])
async def test_the_search_runs_on_the_fastest_faithful_path(
    make: Any, runner: str, tmp_path: Path
) -> None:
    result = await fix(make(tmp_path))
    assert result.verified, result.reason
    records = transcript_records(result.transcript)
    [baseline] = kind(records, "baseline")
    assert baseline["runner"] == runner
    if runner == "session":
        assert baseline["fast_path"].startswith("collected session: 12 tests")
        swaps = kind(records, "fast_path")[-1]["swaps"]
        assert swaps.get("patched", 0) >= 1 and "full" not in swaps
    else:
        assert baseline["fast_path"].startswith("small runner")


@pytest.mark.slow
async def test_a_hanging_original_is_cut_and_the_search_still_finds_the_fix(tmp_path: Path) -> None:
    result = await fix(bisect(tmp_path), timeout=30.0)
    assert result.verified, result.reason
    assert "lo = mid + 1" in (result.fixed or "")
    assert result.candidates_tried >= 1
    # The fresh run of the original reported each hanging test as its own timeout.
    assert result.proof is not None
    assert result.proof.before.summary == "4 failing (timeout)"
    assert result.proof.before.passed == 6
    records = transcript_records(result.transcript)
    [baseline] = kind(records, "baseline")
    assert baseline["runner"] == "session"
    assert len(baseline["failing"]) == 4 and len(baseline["passing"]) == 6
    # Candidates are cut from the passing tests' times (milliseconds), not the 30 s timeout.
    assert MIN_TEST_SECONDS <= baseline["candidate_timeout"] <= PROVISIONAL_CUT
    assert baseline["candidate_hard_timeout"] < 30.0


SPLIT = {
    "pyproject.toml": '[tool.pytest.ini_options]\ntestpaths = ["."]\n',
    "conftest.py": "",
    "half.py": "def half(x):\n    return x / 3\n",
    "test_half.py": """
        import sys

        from half import half


        def test_half():
            assert half(4) == 2


        def test_knows_its_process():
            # Only a fresh `python -m pytest`-like process has the proof's arguments.
            assert "--pytest" in sys.argv
        """,
}


async def reproduced(root: Path, files: dict[str, str], tests: tuple[str, ...]) -> Any:
    """(the fresh run of the original, the baseline) of the loop's own reproduce()."""
    for name, text in files.items():
        (root / name).write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    settings = Settings(sandbox=SANDBOX, engine="offline", budget=120.0)
    prepared = prepare(FixRequest(path=Path("half.py"), root=root, tests=tests, settings=settings))
    sandbox = await open_sandbox(SANDBOX)
    pool = WorkerPool(sandbox, root, Limits(wall_seconds=300), on_worker=lambda *_: None)
    try:
        runs = WarmRuns(sandbox, prepared, settings, Budget(time.monotonic(), 120.0), pool)
        return await reproduce(Verifier(sandbox, prepared, settings), runs)
    finally:
        await pool.close()
        await sandbox.close()


@pytest.mark.slow
async def test_a_session_that_disagrees_with_pytest_gives_way_to_a_full_run(
    tmp_path: Path,
) -> None:
    fresh, baseline = await reproduced(tmp_path, SPLIT, ("test_half.py",))
    assert baseline is not None
    assert fresh.failed == {"test_half.py::test_half"}
    assert baseline.runner == "pytest"
    assert "the session runner saw" in baseline.note
    assert "test_half.py::test_knows_its_process" in baseline.note
    assert "each candidate runs a full pytest in the worker instead" in baseline.note


PLAIN_WITH_A_SKIPPED_MODULE = {
    "half.py": SPLIT["half.py"],
    "test_half.py": "from half import half\n\n\ndef test_half():\n    assert half(4) == 2\n",
    # pytest skips this whole module; the small runner reads only marks on functions.
    "test_later.py": """
        import pytest

        pytestmark = pytest.mark.skip(reason="not yet")


        def test_future():
            assert False
        """,
}


@pytest.mark.slow
async def test_a_small_runner_that_disagrees_with_pytest_gives_way_to_the_session(
    tmp_path: Path,
) -> None:
    fresh, baseline = await reproduced(
        tmp_path, PLAIN_WITH_A_SKIPPED_MODULE, ("test_half.py", "test_later.py")
    )
    assert baseline is not None
    assert fresh.failed == {"test_half.py::test_half"}
    assert baseline.runner == "session"
    assert baseline.observed.failed == fresh.failed
    assert baseline.note.startswith("the light runner saw test_half.py::test_half, test_later.py")
    assert "collected session: 2 tests" in baseline.note
