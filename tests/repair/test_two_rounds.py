"""Two rounds of edits: a partial candidate (some failing tests pass, none breaks) is the base of
a second round, which finds the second of two independent faults; the summary names both edits.
Through the real loop, the real warm workers and a real sandbox."""

from __future__ import annotations

import asyncio
import json
import textwrap
from pathlib import Path

from fixloop.fixes import FixRequest
from fixloop.loop import run_fix
from fixloop.settings import Settings

from .conftest import SANDBOX

PROGRAM = textwrap.dedent(
    """
    def describe(values):
        ordered = sorted(values)
        low = ordered[1]
        high = ordered[-1]
        mean = sum(values) / len(values) + 1
        return low, high, mean
    """
).lstrip("\n")
TESTS = textwrap.dedent(
    """
    from stats import describe


    def test_low():
        assert describe([3, 1, 2])[0] == 1


    def test_mean():
        assert describe([3, 1, 2])[2] == 2


    def test_high():
        assert describe([3, 1, 2])[1] == 3
    """
).lstrip("\n")


async def test_a_second_round_on_top_of_a_partial_fixes_the_second_fault(tmp_path: Path) -> None:
    (tmp_path / "stats.py").write_text(PROGRAM)
    (tmp_path / "test_stats.py").write_text(TESTS)
    result = await run_fix(
        FixRequest(
            Path("stats.py"),
            tmp_path,
            Settings(sandbox=SANDBOX, engine="offline", budget=90),
            tests=("test_stats.py",),
        )
    )
    assert result.verified, result.reason
    assert result.fixed is not None and result.fixed.count("\n") == PROGRAM.count("\n")
    namespace: dict[str, object] = {}
    exec(result.fixed, namespace)
    describe = namespace["describe"]
    assert callable(describe)
    assert describe([3, 1, 2]) == (1, 3, 2) and describe([9, 1]) == (1, 9, 5)
    assert result.proof is not None and result.proof.after.passed == 3
    # The summary names both edits: the partial's, then the second round's on top of it.
    # Each edit's origin ends with its line, and may itself hold " + " ("operator + -> *").
    first, _, second = result.summary.partition(") + ")
    first += ")"
    assert {first[-8:], second[-8:]} == {"(line 3)", "(line 5)"}, result.summary
    assert result.transcript is not None
    log = await asyncio.to_thread(Path(result.transcript).read_text)
    rounds = [entry for entry in map(json.loads, log.splitlines()) if entry["kind"] == "round"]
    assert rounds and rounds[0]["base"] == first
    failing = {"test_stats.py::test_low", "test_stats.py::test_mean"}
    assert len(rounds[0]["fixed"]) == 1 and len(rounds[0]["still_failing"]) == 1
    assert {*rounds[0]["fixed"], *rounds[0]["still_failing"]} == failing
