from prog import delay_for, schedule, should_retry


def test_retry_server_error():
    assert should_retry(503, 1)


def test_no_retry_client_error():
    assert not should_retry(404, 1)


def test_last_attempt_is_not_retried():
    assert not should_retry(503, 3, max_attempts=3)


def test_delay():
    assert delay_for(3) == 2.0
