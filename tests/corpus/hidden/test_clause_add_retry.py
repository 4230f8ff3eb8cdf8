"""Hidden checks for clause_add_retry: attempts left, non-retryable codes, schedules."""
from prog import schedule, should_retry


def test_second_to_last_attempt_is_retried():
    assert should_retry(500, 2, max_attempts=3)


def test_beyond_the_limit():
    assert not should_retry(429, 7, max_attempts=5)


def test_schedule_stops_at_the_limit():
    assert schedule([503, 503, 503, 503]) == [0.5, 1.0]


def test_schedule_stops_at_a_client_error():
    assert schedule([502, 400, 503]) == [0.5]


def test_single_attempt_allowed():
    assert not should_retry(503, 1, max_attempts=1)
