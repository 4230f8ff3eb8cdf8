"""The verified fix is a property of the input, not of the machine: the same repair gives the same
fix with one warm worker or two (batches of another width, answers in another order), the window
counts candidates by their position, and a pass that holds in one hash order only is no proof.

Real loop, real sandbox (`FIXLOOP_REPAIR_SANDBOX`), real warm workers and fresh pytest runs.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from fixloop.fixes import FixRequest, prepare
from fixloop.loop import run_fix
from fixloop.oracle_runs import CHECK_HASH_SEED, PROOF_HASH_SEEDS
from fixloop.repair.search import ComparisonWindow, SearchState
from fixloop.repair.shape import EditShape
from fixloop.repair.verify import Verifier
from fixloop.sandbox import open_sandbox
from fixloop.settings import Settings

from .conftest import SANDBOX
from .test_search_state import PASSING

# Several candidates pass these tests (a bound, a comparison, a clause), so which one is
# verified depends on the order the search follows, and on nothing else.
BUGGY = textwrap.dedent(
    """
    def count_in_range(values, low, high):
        count = 0
        for value in values:
            if low < value and value <= high:
                count += 1
        return count
    """
).lstrip("\n")

TESTS = textwrap.dedent(
    """
    from prog import count_in_range


    def test_inside():
        assert count_in_range([2, 3, 4], 1, 9) == 3


    def test_low_end_counts():
        assert count_in_range([1, 5, 9], 1, 9) == 3


    def test_outside():
        assert count_in_range([0, 10], 1, 9) == 0
    """
).lstrip("\n")


def _project(root: Path) -> Path:
    root.mkdir()
    (root / "prog.py").write_text(BUGGY)
    (root / "test_prog.py").write_text(TESTS)
    return root


def _safety_stops(transcript: str | None) -> list[dict]:
    assert transcript is not None
    lines = Path(transcript).read_text().splitlines()
    return [entry for entry in map(json.loads, lines) if entry.get("kind") == "safety_stop"]


async def test_one_worker_or_two_verify_the_same_fix(tmp_path: Path) -> None:
    settings = Settings(engine="offline", sandbox=SANDBOX, budget=120, timeout=20)
    results = []
    for workers in (2, 1):
        root = _project(tmp_path / f"workers{workers}")
        request = FixRequest(Path("prog.py"), root, settings, tests=("test_prog.py",))
        results.append(await run_fix(request, workers=workers))
    two, one = results
    assert two.verified and one.verified, (two.reason, one.reason)
    # Nothing but the counts decided (a safety stop would make the choice machine-dependent).
    assert not _safety_stops(two.transcript) and not _safety_stops(one.transcript)
    assert (one.summary, one.fixed) == (two.summary, two.fixed)


def test_a_batch_answers_for_each_candidate_as_one_by_one() -> None:
    window = ComparisonWindow(candidates=3, plausible=99)
    shape = EditShape(False, 20, 0)
    state = SearchState("x = 1\n", window=window)
    state.count_tried(5)  # a batch of five, the first of them proven
    state.accept("x = 2\n", "first", PASSING, shape, found=1)
    # The window holds the three candidates after the first one, whatever the batch width.
    assert [state.closed_for(position) for position in range(2, 7)] == [
        False,
        False,
        False,
        True,
        True,
    ]
    # A later candidate of the same shape ranks after it: the earlier position wins ties.
    assert not state.outranks_winner(shape, found=2)
    assert state.outranks_winner(EditShape(False, 1, 0), found=2)


def _first_of_set(words: list[str], seed: str) -> str:
    program = f"print(next(iter(set({words!r}))))"
    done = subprocess.run(
        [sys.executable, "-c", program],
        env={"PYTHONHASHSEED": seed},
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def _words_whose_order_depends_on_the_seed() -> tuple[list[str], str]:
    """Words whose set iterates first over the same word under the check's seed but not under
    every proof seed, and that word (found by running Python, so no seed is hard-coded)."""
    for size in range(3, 12):
        words = [f"w{n}" for n in range(size)]
        first = _first_of_set(words, CHECK_HASH_SEED)
        if any(_first_of_set(words, seed) != first for seed in PROOF_HASH_SEEDS):
            return words, first
    raise AssertionError("no set whose order differs between the seeds")


async def test_a_pass_that_holds_in_one_hash_order_only_is_not_verified(tmp_path: Path) -> None:
    words, first = _words_whose_order_depends_on_the_seed()
    (tmp_path / "prog.py").write_text(f"def pick():\n    return {words[-1]!r}\n")
    (tmp_path / "test_prog.py").write_text(
        f"from prog import pick\n\n\ndef test_pick():\n    assert pick() == {first!r}\n"
    )
    settings = Settings(sandbox=SANDBOX, timeout=20)
    prepared = prepare(FixRequest(Path("prog.py"), tmp_path, settings, tests=("test_prog.py",)))
    lucky = f"def pick():\n    return next(iter(set({words!r})))\n"
    honest = f"def pick():\n    return {first!r}\n"
    sandbox = await open_sandbox(SANDBOX)
    try:
        verifier = Verifier(sandbox, prepared, settings)
        # Under the check's seed the lucky candidate passes, as it did in the warm worker.
        assert (await verifier.fresh(lucky)).ok
        verdict, after = await verifier.prove(lucky)
        assert not verdict.verified and after is None
        verdict, after = await verifier.prove(honest)
        assert verdict.verified and after is not None
    finally:
        await sandbox.close()
