"""A token bucket: `rate` tokens per second, holding at most `capacity` tokens."""

from throttle.clock import MonotonicClock

POLL_SECONDS = 0.01


class TokenBucket:
    def __init__(self, rate, capacity, clock=None):
        if rate <= 0 or capacity <= 0:
            raise ValueError("rate and capacity must be positive")
        self.rate = rate
        self.capacity = capacity
        self.clock = clock or MonotonicClock()
        self.tokens = float(capacity)
        self.updated = self.clock.now()

    def _refill(self):
        now = self.clock.now()
        elapsed = now - self.updated
        self.tokens = min(self.capacity, self.tokens + int(elapsed / self.rate))
        self.updated = now

    def try_acquire(self, count=1):
        """Take `count` tokens if they are there; never waits."""
        self._refill()
        if self.tokens >= count:
            self.tokens -= count
            return True
        return False

    def acquire(self, count=1):
        """Take `count` tokens, waiting for the bucket to refill; returns the time waited."""
        if count > self.capacity:
            raise ValueError(f"cannot take {count} tokens from a bucket of {self.capacity}")
        started = self.clock.now()
        while not self.try_acquire(count):
            self.clock.sleep(POLL_SECONDS)
        return self.clock.now() - started
