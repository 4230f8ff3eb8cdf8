"""Hidden checks for jobqueue_retry: attempt counts at every limit."""
from jobs.queue import JobQueue
from jobs.worker import run_batch


class Failing:
    def __init__(self):
        self.calls = 0

    def __call__(self):
        self.calls += 1
        raise RuntimeError("down")


def test_single_attempt_allowed():
    queue, func = JobQueue(), Failing()
    queue.submit("once", func, max_attempts=1)
    (outcome,) = queue.run_until_empty()
    assert (outcome.ok, outcome.attempts, func.calls) == (False, 1, 1)


def test_default_limit_is_three_calls():
    queue, func = JobQueue(), Failing()
    queue.submit("j", func)
    queue.run_until_empty()
    assert func.calls == 3


def test_success_first_time_is_one_attempt():
    queue = JobQueue()
    queue.submit("j", lambda: None)
    assert queue.run_until_empty()[0].attempts == 1


def test_batch_with_a_failure():
    succeeded, failed, attempts = run_batch({"a": (Failing(), ()), "b": (int, ("5",))}, max_attempts=4)
    assert (succeeded, failed, attempts) == (["b"], ["a"], 5)
