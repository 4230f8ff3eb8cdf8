"""First in, first out; a failing job goes to the back of the queue until it runs out of attempts."""

from collections import deque

from jobs.model import Job, Outcome


class JobQueue:
    def __init__(self):
        self._pending = deque()
        self.outcomes = {}

    def submit(self, job_id, func, *args, max_attempts=3):
        if job_id in self.outcomes or any(job.id == job_id for job in self._pending):
            raise ValueError(f"duplicate job id {job_id}")
        self._pending.append(Job(job_id, func, args, max_attempts))

    def __len__(self):
        return len(self._pending)

    def run_until_empty(self):
        """Run every job; returns the outcomes in the order the jobs finished."""
        finished = []
        while self._pending:
            job = self._pending.popleft()
            try:
                value = job.func(*job.args)
            except Exception as exc:  # a job's failure must not stop the queue
                job.errors.append(repr(exc))
                if job.attempts < job.max_attempts:
                    self._pending.append(job)
                    continue
                outcome = Outcome(job.id, False, job.errors[-1], job.attempts)
            else:
                outcome = Outcome(job.id, True, value, job.attempts)
            self.outcomes[job.id] = outcome
            finished.append(outcome)
        return finished
