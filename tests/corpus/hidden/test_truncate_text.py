"""Hidden checks for truncate_text: exactly `limit` characters at most."""
from prog import truncate


def test_other_limits():
    assert truncate("abcdef", 4) == "abcd"
    assert truncate("abcdef", 1) == "a"


def test_limit_equal_to_length():
    assert truncate("abc", 3) == "abc"


def test_zero_limit():
    assert truncate("abc", 0) == ""
