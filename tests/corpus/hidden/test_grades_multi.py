"""Hidden checks for grades_multi: each boundary and its neighbour below."""
from prog import letter, pass_rate


def test_boundaries_and_neighbours():
    assert [letter(s) for s in (100, 90, 89, 80, 79, 70, 69, 0)] == [
        "A", "A", "B", "B", "C", "C", "F", "F",
    ]


def test_rate_all_passed():
    assert pass_rate([70, 71]) == 1.0


def test_rate_none_passed():
    assert pass_rate([69, 1]) == 0.0
