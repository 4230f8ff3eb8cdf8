"""The time budget of one repair loop: the overall deadline and the current engine's share.

The loop gives each engine a share of what is left (the offline engine leaves most of it to a
model engine that follows); candidates are only taken while both deadlines hold. A run that must
not be cut short by the engine's share (isolating hanging tests in the baseline) asks for
`wait_allowance`, which only the overall deadline bounds.
"""

from __future__ import annotations

import time

# However late, a run in progress may wait at least this long for its answer.
MIN_WAIT_SECONDS = 1.0


class Budget:
    def __init__(self, started: float, seconds: float) -> None:
        self.started = started
        self.deadline = started + seconds
        self._engine_deadline: float | None = None

    def start_engine(self, share: float) -> None:
        """The next engine may use `share` (0..1) of what is left of the budget."""
        self._engine_deadline = time.monotonic() + self.remaining() * share

    def end_engines(self) -> None:
        self._engine_deadline = None

    def remaining(self) -> float:
        """Seconds left of the whole loop's budget (0 when spent)."""
        return max(0.0, self.deadline - time.monotonic())

    def remaining_for_engine(self) -> float:
        """Seconds the current engine may still use (0 when spent)."""
        deadline = self.deadline
        if self._engine_deadline is not None:
            deadline = min(deadline, self._engine_deadline)
        return max(0.0, deadline - time.monotonic())

    def wait_allowance(self) -> float:
        """How long a run in progress may wait: the rest of the budget, at least a second."""
        return max(MIN_WAIT_SECONDS, self.deadline - time.monotonic())

    def elapsed_ms(self) -> int:
        return int((time.monotonic() - self.started) * 1000)
