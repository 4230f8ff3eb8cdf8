"""Hidden checks for all_positive: zero is not positive, one negative spoils the lot."""
from prog import all_positive


def test_zero_is_not_positive():
    assert not all_positive([0, 1, 2])


def test_one_negative_at_the_end():
    assert not all_positive([5, 6, -1])


def test_single_values():
    assert all_positive([1])
    assert not all_positive([-1])


def test_empty_is_vacuously_true():
    assert all_positive([])
