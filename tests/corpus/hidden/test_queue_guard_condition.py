"""Hidden checks for queue_guard_condition: stop at the limit or at the end of the queue."""
from prog import drain


def test_empty_queue():
    assert drain([], 2) == []


def test_limit_zero():
    queue = [1, 2]
    assert drain(queue, 0) == []
    assert queue == [1, 2]


def test_exact_length():
    queue = [1, 2]
    assert drain(queue, 2) == [1, 2]
    assert queue == []


def test_rest_stays_in_the_queue():
    queue = [5, 6, 7]
    drain(queue, 1)
    assert queue == [6, 7]
