"""Hidden checks for unexpected_indent_real: zero and negatives."""
from prog import describe


def test_zero_is_even():
    assert describe(0) == "0 is even"


def test_negative_odd():
    assert describe(-7) == "-7 is odd"
