"""A proven candidate that changes one of the program's checks is only a fallback: it does not
end the search, and any proven candidate that leaves the checks alone ranks before it."""

from __future__ import annotations

from fixloop.fixes import OracleSide
from fixloop.repair.search import SearchState

PASSING = OracleSide("passed", 3, 0, "3/3 tests pass")
CHANGE = "the assert at line 5 (`assert x == 2`)"


def test_a_check_changing_candidate_does_not_end_the_search() -> None:
    state = SearchState("x = 1\n")
    state.count_tried(3)
    state.accept("x = 3\n", "compare == -> != (line 5)", PASSING, changes_check=CHANGE)
    assert not state.solved
    assert state.fallback is not None and state.fallback.origin.startswith("compare")
    # Nothing better came: the fallback is the winner at the end.
    assert state.winner is state.fallback


def test_a_later_honest_candidate_wins_over_an_earlier_check_changing_one() -> None:
    state = SearchState("x = 1\n")
    state.count_tried(2)
    state.accept("x = 3\n", "inverts the assert", PASSING, changes_check=CHANGE)
    state.count_tried(40)
    state.accept("x = 2\n", "the real fix", PASSING)
    assert state.solved
    assert state.winner is not None and state.winner.origin == "the real fix"
    assert state.winner.found == 42
    ranked = sorted(state.passing, key=lambda p: p.rank_key())
    assert [p.origin for p in ranked] == ["the real fix", "inverts the assert"]


def test_keep_counts_only_candidates_that_leave_the_checks_alone() -> None:
    state = SearchState("x = 1\n", keep=2)
    state.accept("x = 2\n", "honest", PASSING)
    state.accept("x = 3\n", "changes", PASSING, changes_check=CHANGE)
    assert not state.solved
    state.accept("x = 4\n", "honest too", PASSING)
    assert state.solved
