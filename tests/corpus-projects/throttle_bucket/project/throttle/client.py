"""A rate-limited caller: wraps a function so that calls respect a token bucket."""

from throttle.bucket import TokenBucket


class Throttled:
    def __init__(self, func, rate, burst, clock=None):
        self.func = func
        self.bucket = TokenBucket(rate, burst, clock)
        self.calls = 0

    def __call__(self, *args, **kwargs):
        self.bucket.acquire()
        self.calls += 1
        return self.func(*args, **kwargs)
