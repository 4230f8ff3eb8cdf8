"""Hidden checks for in_range_chain: 0 to 9 inclusive, and nothing around it."""
from prog import is_digit_value


def test_inside():
    assert all(is_digit_value(n) for n in range(10))


def test_outside():
    assert not is_digit_value(-1)
    assert not is_digit_value(11)
