"""Hidden checks for queue_append_typo: order kept, the same list returned."""
from prog import enqueue_all


def test_into_empty():
    assert enqueue_all([], ["a", "b"]) == ["a", "b"]


def test_nothing_to_add():
    queue = [1]
    assert enqueue_all(queue, []) is queue


def test_same_list_is_extended():
    queue = [0]
    enqueue_all(queue, [1])
    assert queue == [0, 1]
