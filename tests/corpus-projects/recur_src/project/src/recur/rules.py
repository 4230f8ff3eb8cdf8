"""A recurrence rule and the dates it produces."""

from dataclasses import dataclass
from datetime import timedelta

from recur.months import add_months

FREQUENCIES = ("daily", "weekly", "monthly")


@dataclass(frozen=True)
class Rule:
    frequency: str
    interval: int = 1
    count: int = 1

    def __post_init__(self):
        if self.frequency not in FREQUENCIES:
            raise ValueError(f"unknown frequency {self.frequency!r}")
        if self.interval < 1 or self.count < 1:
            raise ValueError("interval and count must be at least 1")

    def step(self, start, n):
        if self.frequency == "daily":
            return start + timedelta(days=n * self.interval)
        if self.frequency == "weekly":
            return start + timedelta(weeks=n * self.interval)
        return add_months(start, n * self.interval)

    def occurrences(self, start):
        # Monthly steps are taken from the start each time, so a clamped month does not
        # move every later date to the 28th.
        return [self.step(start, n) for n in range(self.count)]
