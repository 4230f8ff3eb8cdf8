"""Drain a queue and report: what succeeded, what failed, and how many attempts it took."""

from jobs.queue import JobQueue


def run_batch(tasks, max_attempts=3):
    """tasks: {job_id: (func, args)} -> (succeeded ids, failed ids, total attempts)."""
    queue = JobQueue()
    for job_id, (func, args) in tasks.items():
        queue.submit(job_id, func, *args, max_attempts=max_attempts)
    outcomes = queue.run_until_empty()
    succeeded = sorted(o.job_id for o in outcomes if o.ok)
    failed = sorted(o.job_id for o in outcomes if not o.ok)
    return succeeded, failed, sum(o.attempts for o in outcomes)
