"""The search state shared by a loop's engines: repeats, rejections, proven and partial candidates."""

from __future__ import annotations

from fixloop.fixes import OracleSide
from fixloop.repair.engine import CandidateVerdict
from fixloop.repair.search import MAX_PARTIALS, ComparisonWindow, PartialCandidate, SearchState
from fixloop.repair.shape import EditShape

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


def _shape(size: int, *, guard: bool = False, distance: int = 0) -> EditShape:
    return EditShape(guard, size, distance)


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_window_keeps_searching_after_the_first_proof_for_a_bounded_number() -> None:
    window = ComparisonWindow(candidates=10, seconds=60, plausible=9)
    state = SearchState("x = 1\n", window=window, clock=_Clock())
    state.count_tried(3)
    state.accept("x = 2\n", "first", PASSING, _shape(4))
    assert not state.solved  # the window has just opened
    state.count_tried(9)
    assert not state.solved
    state.count_tried(1)
    assert state.solved  # ten more candidates: enough to compare


def test_the_window_closes_after_its_seconds_or_when_enough_candidates_passed() -> None:
    clock = _Clock()
    window = ComparisonWindow(candidates=1000, seconds=5, plausible=2)
    state = SearchState("x = 1\n", window=window, clock=clock)
    state.accept("x = 2\n", "first", PASSING, _shape(4))
    clock.now += 4.9
    assert not state.solved
    clock.now += 0.2
    assert state.solved
    other = SearchState("x = 1\n", window=window, clock=_Clock())
    other.accept("x = 2\n", "first", PASSING, _shape(4))
    other.note_runner_up("x = 3\n", "second", _shape(5))
    assert other.solved  # two plausible candidates of the first tier: enough to compare


def test_a_guard_winner_keeps_the_window_open_longer() -> None:
    window = ComparisonWindow(candidates=10, seconds=60, guard_candidates=50, guard_seconds=60)
    state = SearchState("x = 1\n", window=window, clock=_Clock())
    state.accept("guarded\n", "guard", PASSING, _shape(3, guard=True))
    state.count_tried(20)
    assert not state.solved
    # A computation edit proven later takes the lead, and the short window applies again.
    assert state.outranks_winner(_shape(9))
    state.accept("x = 2\n", "computation", PASSING, _shape(9))
    assert state.winner is not None and state.winner.origin == "computation"
    assert state.solved


def test_ranking_prefers_computation_then_smaller_then_nearer_then_earlier() -> None:
    state = SearchState("x = 1\n", window=ComparisonWindow(plausible=99))
    state.accept("a\n", "guard, tiny", PASSING, _shape(1, guard=True))
    state.count_tried(1)
    state.note_runner_up("b\n", "big", _shape(20))
    state.count_tried(1)
    state.note_runner_up("c\n", "small, far", _shape(2, distance=5))
    state.count_tried(1)
    state.note_runner_up("d\n", "small, near, late", _shape(2, distance=1))
    state.count_tried(1)
    state.note_runner_up("e\n", "small, near, later", _shape(2, distance=1))
    assert [c.origin for c in state.leaders()] == [
        "small, near, late",
        "small, near, later",
        "small, far",
        "big",
        "guard, tiny",
    ]
    assert not state.outranks_winner(_shape(2, guard=True))
