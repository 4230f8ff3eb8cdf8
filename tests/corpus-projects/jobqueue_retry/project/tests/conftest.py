import pytest

from jobs.queue import JobQueue


class Flaky:
    """Fails `failures` times, then returns `value`."""

    def __init__(self, failures, value="ok"):
        self.failures = failures
        self.value = value
        self.calls = 0

    def __call__(self):
        self.calls += 1
        if self.calls <= self.failures:
            raise ConnectionError(f"attempt {self.calls} failed")
        return self.value


@pytest.fixture
def queue():
    jobs = JobQueue()
    yield jobs
    assert len(jobs) == 0, "a test left jobs in the queue"


@pytest.fixture
def flaky():
    return Flaky


@pytest.fixture
def broken():
    """A job whose service is down for good."""

    def send():
        raise ConnectionError("service unavailable")

    return send
