"""`strict_compare`, the comparison every `==`/`!=` of a test's asserts goes through: the same
answer as Python's for honest values, CheatDetected for an equality that no honest value gives."""

from __future__ import annotations

import math
from pathlib import Path
from unittest.mock import ANY

import pytest
from fixloop.sandbox_worker.strict_eq import TEST_FILES, CheatDetected, strict_compare


class AlwaysEqual:
    def __eq__(self, other: object) -> bool:
        return True

    __hash__ = object.__hash__


class HashesLikeZero(AlwaysEqual):
    """Hashes as 0.0 does, so a set holding it can equal {0.0}."""

    def __hash__(self) -> int:
        return 0


class EqualToAnyInt:
    def __eq__(self, other: object) -> bool:
        return isinstance(other, int)

    __hash__ = object.__hash__


class NeverDifferent(float):
    def __ne__(self, other: object) -> bool:
        return False


class Point:
    """An honest class whose __eq__ assumes its own kind (raises on anything else)."""

    def __init__(self, x: int) -> None:
        self.x = x

    def __eq__(self, other: object) -> bool:
        return self.x == other.x  # type: ignore[attr-defined]

    __hash__ = object.__hash__


@pytest.mark.parametrize(
    ("left", "op", "right"),
    [
        (6, "==", 6),
        (6, "!=", 7),
        ("a", "==", "a"),
        ([1, (2, 3)], "==", [1, (2, 3)]),
        ({"a": [1]}, "==", {"a": [1]}),
        ({1, 2}, "==", {2, 1}),
        (Point(1), "==", Point(1)),
        (Point(1), "!=", Point(2)),
        (float("nan"), "!=", float("nan")),
        (2.0, "==", pytest.approx(2.0000001)),
        ((3, "x"), "==", (ANY, "x")),
    ],
)
def test_honest_comparisons_give_python_s_answer(left: object, op: str, right: object) -> None:
    expected = left == right if op == "==" else left != right
    assert strict_compare(left, op, right) == expected


def test_a_failing_honest_comparison_is_just_false() -> None:
    assert strict_compare([1, 2], "==", [1, 3]) is False
    assert strict_compare(Point(1), "==", Point(2)) is False
    assert math.isnan(0.0) is False  # nothing strict about plain code


@pytest.mark.parametrize(
    ("left", "right", "words"),
    [
        (AlwaysEqual(), 0.0, "fresh object"),
        (0.0, AlwaysEqual(), "fresh object"),
        ([AlwaysEqual()], [0.0], "fresh object"),
        ({"mean": AlwaysEqual()}, {"mean": 0.0}, "fresh object"),
        ({HashesLikeZero()}, {0.0}, "fresh object"),
        (EqualToAnyInt(), 6, "both to 6 and to 7"),
        (NeverDifferent(1.0), 0.0, "are both"),
    ],
)
def test_fake_equality_is_caught(left: object, right: object, words: str) -> None:
    with pytest.raises(CheatDetected, match=words):
        strict_compare(left, "==", right)


def test_a_class_that_claims_to_be_a_trusted_matcher_is_not_trusted() -> None:
    impostor = type("_ANY", (), {"__eq__": lambda self, other: True, "__hash__": object.__hash__})
    impostor.__module__ = "unittest.mock"
    with pytest.raises(CheatDetected):
        strict_compare(impostor(), "==", 1)


def test_a_matcher_written_in_a_test_file_is_trusted(tmp_path: Path) -> None:
    test_file = tmp_path / "test_matchers.py"
    source = "class Anything:\n    def __eq__(self, other):\n        return True\n"
    test_file.write_text(source)
    space: dict[str, object] = {}
    exec(compile(source, str(test_file), "exec"), space)
    anything = space["Anything"]()  # type: ignore[operator]
    with pytest.raises(CheatDetected):
        strict_compare(anything, "==", 1)  # not a test file yet
    TEST_FILES.add(str(test_file.resolve()))
    try:
        assert strict_compare(anything, "==", 1) is True
    finally:
        TEST_FILES.discard(str(test_file.resolve()))
