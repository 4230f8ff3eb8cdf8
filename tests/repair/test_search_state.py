"""The search state shared by a loop's engines: repeats, rejections, proven and partial candidates."""

from __future__ import annotations

from fixloop.fixes import OracleSide
from fixloop.repair.engine import CandidateVerdict
from fixloop.repair.search import MAX_PARTIALS, PartialCandidate, SearchState

PASSING = OracleSide("passed", 3, 0, "3/3 tests pass")


def test_repeats_and_the_original_are_seen_once() -> None:
    state = SearchState("x = 1\n")
    assert state.first_sight("x = 2\n")
    assert not state.first_sight("x = 2\n")
    assert not state.first_sight("x = 1\n")  # the original is never a candidate


def test_the_first_proven_candidate_wins_and_solves_by_default() -> None:
    state = SearchState("x = 1\n")
    assert not state.solved and state.winner is None
    state.count_tried(4)
    state.accept("x = 2\n", "constant -> 2", PASSING)
    assert state.solved
    assert state.winner is not None and state.winner.origin == "constant -> 2"
    assert state.winner.found == 4


def test_keeping_several_proven_candidates_ranks_them() -> None:
    state = SearchState("x = 1\n", keep=2)
    state.count_tried(2)
    state.accept("x = 3\n", "first", PASSING)
    assert not state.solved
    state.count_tried(5)
    state.accept("x = 2\n", "second", PASSING)
    assert state.solved and len(state.passing) == 2
    assert state.winner is not None and state.winner.origin == "first"


def test_rejections_are_kept_in_order_for_feedback() -> None:
    state = SearchState("x = 1\n")
    state.reject("x = 2", CandidateVerdict(False, "fails", "1 failing"))
    state.reject("x = 3", CandidateVerdict(False, "guard", "refused"))
    assert [(text, v.outcome) for text, v in state.rejected()] == [
        ("x = 2", "fails"),
        ("x = 3", "guard"),
    ]


def test_partials_keep_the_most_progress_first_and_stay_bounded() -> None:
    state = SearchState("x = 1\n")
    for index in range(MAX_PARTIALS + 5):
        fixed = frozenset(f"t{n}" for n in range(index % 3 + 1))
        state.note_partial(PartialCandidate(f"x = {index}\n", str(index), fixed, frozenset({"u"})))
    assert len(state.partials) == MAX_PARTIALS
    assert len(state.partials[0].fixed_tests) == 3
    assert [len(p.fixed_tests) for p in state.partials] == sorted(
        (len(p.fixed_tests) for p in state.partials), reverse=True
    )
