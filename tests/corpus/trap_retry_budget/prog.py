"""Exponential back-off for a job queue worker: how long to wait before each retry."""

MAX_RETRIES = 3


class RetryPolicy:
    def __init__(self, base_seconds, factor=2.0, cap_seconds=60.0):
        self.base = base_seconds
        self.factor = factor
        self.cap = cap_seconds

    def delays(self):
        """One delay per retry, growing by `factor`, never above the cap."""
        delays = []
        retries = 0
        while retries <= MAX_RETRIES:
            delays.append(min(self.cap, self.base * self.factor ** retries))
            retries += 1
        assert retries <= MAX_RETRIES, f"too many retries: {retries}"
        return delays

    def total_wait(self):
        return sum(self.delays())
