import pytest

from jobs.worker import run_batch


class TestHappyPath:
    def test_runs_in_order(self, queue):
        queue.submit("a", lambda: 1)
        queue.submit("b", lambda x: x * 2, 21)
        assert [(o.job_id, o.value) for o in queue.run_until_empty()] == [("a", 1), ("b", 42)]

    def test_duplicate_ids(self, queue):
        queue.submit("a", lambda: 1)
        with pytest.raises(ValueError):
            queue.submit("a", lambda: 2)
        queue.run_until_empty()


@pytest.mark.retries
class TestRetries:
    def test_flaky_job_succeeds_on_the_third_attempt(self, queue, flaky):
        queue.submit("sync", flaky(2, "synced"))
        (outcome,) = queue.run_until_empty()
        assert (outcome.ok, outcome.value, outcome.attempts) == (True, "synced", 3)

    def test_broken_job_gives_up(self, queue, broken):
        queue.submit("mail", broken, max_attempts=2)
        (outcome,) = queue.run_until_empty()
        assert (outcome.ok, outcome.attempts) == (False, 2)
        assert "service unavailable" in outcome.value

    def test_other_jobs_still_run(self, queue, broken):
        queue.submit("bad", broken)
        queue.submit("good", lambda: "fine")
        outcomes = {o.job_id: o for o in queue.run_until_empty()}
        assert outcomes["good"].ok and not outcomes["bad"].ok


def test_batch_report(flaky):
    tasks = {"x": (lambda: 1, ()), "y": (flaky(1), ())}
    assert run_batch(tasks) == (["x", "y"], [], 3)
