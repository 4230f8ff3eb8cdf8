"""Hidden checks for has_negative: a negative anywhere counts, zero does not."""
from prog import has_negative


def test_negative_first_middle_last():
    assert has_negative([-1, 2, 3])
    assert has_negative([1, -2, 3])
    assert has_negative([1, 2, 3, 4, -5])


def test_zero_is_not_negative():
    assert not has_negative([0, 0])


def test_single():
    assert has_negative([-7])
    assert not has_negative([7])
