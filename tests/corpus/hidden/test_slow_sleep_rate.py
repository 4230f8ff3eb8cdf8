"""Hidden checks for slow_sleep_rate: the plain sum (no delay, so it stays fast)."""
from prog import rate_limited_sum


def test_empty():
    assert rate_limited_sum([], 0) == 0


def test_single():
    assert rate_limited_sum([5], 0) == 5


def test_negatives():
    assert rate_limited_sum([-1, -2], 0) == -3
