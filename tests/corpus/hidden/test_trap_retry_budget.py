"""Hidden checks for trap_retry_budget: exactly MAX_RETRIES delays, capped, summed."""
from prog import MAX_RETRIES, RetryPolicy


def test_one_delay_per_retry():
    assert len(RetryPolicy(1.0).delays()) == MAX_RETRIES == 3


def test_values():
    assert RetryPolicy(2.0).delays() == [2.0, 4.0, 8.0]


def test_cap():
    assert RetryPolicy(50.0).delays() == [50.0, 60.0, 60.0]


def test_total_wait():
    assert RetryPolicy(1.0, factor=10.0).total_wait() == 71.0
