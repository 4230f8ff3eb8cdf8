"""Clocks: the real monotonic clock, and a manual one for tests and simulations."""

import time


class MonotonicClock:
    def now(self):
        return time.monotonic()

    def sleep(self, seconds):
        time.sleep(seconds)


class ManualClock:
    """A clock that only moves when told to; sleeping advances it instantly."""

    def __init__(self, start=0.0):
        self._now = start
        self.slept = 0.0

    def now(self):
        return self._now

    def advance(self, seconds):
        self._now += seconds

    def sleep(self, seconds):
        self.slept += seconds
        self.advance(seconds)
