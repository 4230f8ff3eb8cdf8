"""Hidden checks for gradebook: other weights, missing components, one student."""
import pytest

from gradebook.stats import class_summary, weighted_average


def test_equal_weights():
    assert weighted_average({"a": 60, "b": 90}, {"a": 1, "b": 1}) == 75.0


def test_weights_that_do_not_add_up_to_one():
    assert weighted_average({"a": 50, "b": 100}, {"a": 2, "b": 3}) == 80.0


def test_only_the_first_component_counts():
    assert weighted_average({"homework": 100}) == 20.0


def test_single_student_class():
    summary = class_summary([{"name": "Z", "scores": {"homework": 80, "midterm": 80, "final": 80}}])
    assert summary == {"mean": 80.0, "letters": {"B": 1}}


@pytest.mark.parametrize("final", [0, 100])
def test_final_dominates(final):
    expected = 0.2 * 70 + 0.3 * 70 + 0.5 * final
    assert weighted_average({"homework": 70, "midterm": 70, "final": final}) == round(expected, 1)
