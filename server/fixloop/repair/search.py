"""The state of one repair search: what was tried, what failed, what passed, who won.

`SearchState` is shared by every engine of a loop. It counts the candidates validated, drops
repeats before any guard or sandbox work (`first_sight`), keeps the rejected replacements that
the model sees as feedback, and holds the candidates that passed:
- `passing`: proven by a fresh full-oracle run; `winner` is the best by `rank_key` (one that
  leaves the program's checks alone before one that changes an assert or raise-guard, then an
  edit that restores a computation before a guard that skips the failing work, then the smaller
  edit, then the one nearer the suspicious lines, then the one found first; see
  `fixloop.repair.shape`). A candidate that changes a check never ends the search: it is the
  `fallback` while the search looks for one that leaves the checks alone;
- `runners_up`: candidates that passed their warm check but rank after the winner of the
  moment, so they were not proven; the comparison of the leading candidates
  (`fixloop.repair.compare`) runs them, and proves one of them only if it comes out ahead;
- `partials`: candidates that turned some previously failing tests green and broke none, best
  first, the base of a second round of edits.
A search with a `ComparisonWindow` does not end at its first proven candidate: it goes on for a
bounded number of candidates to find a better one, longer when the best so far is a guard;
without a window, `keep` proven candidates end it (the first wins when `keep` is 1).
Every decision counts candidates by their position in the search (`found`, given by the
validator in the engine's order), never by which worker answered first or by elapsed time, so
the same input gets the same winner on an idle and on a loaded machine. The window's seconds
are only a safety stop for a very slow machine; when they decide, `safety_stop` says so, and
the loop reports it.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from fixloop.fixes import OracleSide
from fixloop.repair.engine import CandidateVerdict, PartialCandidate
from fixloop.repair.shape import NO_SHAPE, EditShape

__all__ = [
    "MAX_PARTIALS",
    "ComparisonWindow",
    "PartialCandidate",
    "PassingCandidate",
    "RunnerUp",
    "SearchState",
]

MAX_PARTIALS = 20
MAX_RUNNERS_UP = 8


@dataclass(frozen=True)
class ComparisonWindow:
    """How far the search goes on after its first proven candidate, to compare it with others:
    `candidates` more validated (the `guard_` value when the best so far is a guard or a
    rewrite without evidence, `EditShape.tier`), or as soon as `plausible` candidates of the
    first tier passed. The seconds are a safety stop, not part of the choice: they are far
    longer than the counts take on a loaded machine, and when they end a window the loop
    reports it (`SearchState.safety_stop`)."""

    candidates: int = 40
    seconds: float = 45.0
    guard_candidates: int = 300
    guard_seconds: float = 45.0
    plausible: int = 4


def rank_key(shape: EditShape, found: int, changes_check: str = "") -> tuple[int, ...]:
    """Smaller is better."""
    return (int(bool(changes_check)), shape.tier, shape.size_class, shape.distance, found)


@dataclass(frozen=True)
class PassingCandidate:
    """A candidate that passed its warm check and its fresh proof."""

    text: str
    origin: str
    after: OracleSide  # the proof's verdict
    found: int  # its position in the search (1-based, in the engines' order)
    shape: EditShape = NO_SHAPE
    changes_check: str = ""  # the assert or raise-guard it changes ("" when none)

    def rank_key(self) -> tuple[int, ...]:
        """Smaller is better."""
        return rank_key(self.shape, self.found, self.changes_check)


@dataclass(frozen=True)
class RunnerUp:
    """A candidate that passed its warm check but ranked after the winner, so is not proven."""

    text: str
    origin: str
    found: int
    shape: EditShape
    changes_check: str = ""

    def rank_key(self) -> tuple[int, ...]:
        return rank_key(self.shape, self.found, self.changes_check)


class SearchState:
    def __init__(
        self,
        original: str,
        *,
        keep: int = 1,
        window: ComparisonWindow | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.original = original
        self.keep = keep
        self.window = window
        self.clock = clock
        self.tried = 0
        self.passing: list[PassingCandidate] = []
        self.runners_up: list[RunnerUp] = []
        self.partials: list[PartialCandidate] = []
        self._seen: set[str] = set()
        self._rejected: list[tuple[str, CandidateVerdict]] = []
        self._opened = (0, 0.0)  # (position, time) of the first candidate proven
        self._chosen: str | None = None  # the text the comparison of the leaders chose
        self.safety_stop = ""  # set when the window's seconds, not its counts, ended it

    @property
    def solved(self) -> bool:
        """The search may end: enough proven, or the comparison window has closed for every
        candidate after those validated so far."""
        return self.closed_for(self.tried + 1)

    def closed_for(self, position: int) -> bool:
        """Is the search over for the candidate at `position` (1-based, in the search's order)?
        Only the candidates before it decide, so validating a batch side by side, or with one
        worker or two, answers the same for each of its candidates."""
        winner = self.winner
        if winner is None or winner.changes_check:
            return False
        if self.window is None:
            return sum(1 for p in self.passing if not p.changes_check) >= self.keep
        window = self.window
        opened_at, opened = self._opened
        after = position - 1 - opened_at  # candidates validated since the window opened
        if winner.shape.tier:
            limit, seconds = window.guard_candidates, window.guard_seconds
        else:
            plausible = sum(not (c.shape.tier or c.changes_check) for c in self.leaders())
            if plausible >= window.plausible:
                return True
            limit, seconds = window.candidates, window.seconds
        if after >= limit:
            return True
        if self.clock() - opened >= seconds:
            self.safety_stop = (
                f"the comparison window closed after {seconds:g}s, {after} of its {limit} "
                "candidates validated (a slow machine: the choice may differ on a faster one)"
            )
            return True
        return False

    @property
    def fallback(self) -> PassingCandidate | None:
        """The first proven candidate that changes a check, kept in case nothing better comes."""
        return next((p for p in self.passing if p.changes_check), None)

    @property
    def winner(self) -> PassingCandidate | None:
        """The proven candidate the comparison of the leaders chose, else the best by rank."""
        for candidate in self.passing:
            if candidate.text == self._chosen:
                return candidate
        return min(self.passing, key=PassingCandidate.rank_key, default=None)

    def choose(self, text: str) -> None:
        """The comparison of the leading candidates prefers this proven candidate."""
        self._chosen = text

    def leaders(self) -> list[PassingCandidate | RunnerUp]:
        """Every candidate that passed, proven or not, best first."""
        everyone: list[PassingCandidate | RunnerUp] = [*self.passing, *self.runners_up]
        return sorted(everyone, key=lambda c: c.rank_key())

    def outranks_winner(
        self, shape: EditShape, changes_check: str = "", *, found: int | None = None
    ) -> bool:
        """Would a candidate of this shape, found at `found` (default: now), rank before the
        winner?"""
        winner = self.winner
        position = self.tried if found is None else found
        return winner is None or rank_key(shape, position, changes_check) < winner.rank_key()

    def first_sight(self, text: str) -> bool:
        """True (and remembered) the first time `text` comes; False for repeats and the original."""
        digest = hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()
        if digest in self._seen or text == self.original:
            return False
        self._seen.add(digest)
        return True

    def count_tried(self, count: int) -> None:
        self.tried += count

    def accept(
        self,
        text: str,
        origin: str,
        after: OracleSide,
        shape: EditShape = NO_SHAPE,
        *,
        changes_check: str = "",
        found: int | None = None,
    ) -> None:
        """A proven candidate, at position `found` in the search (default: the count so far)."""
        position = self.tried if found is None else found
        if not changes_check and not any(not p.changes_check for p in self.passing):
            self._opened = (position, self.clock())  # the comparison window opens
        self.passing.append(PassingCandidate(text, origin, after, position, shape, changes_check))

    def note_runner_up(
        self,
        text: str,
        origin: str,
        shape: EditShape,
        changes_check: str = "",
        *,
        found: int | None = None,
    ) -> None:
        position = self.tried if found is None else found
        self.runners_up.append(RunnerUp(text, origin, position, shape, changes_check))
        self.runners_up.sort(key=RunnerUp.rank_key)
        del self.runners_up[MAX_RUNNERS_UP:]

    def reject(self, replacement: str, verdict: CandidateVerdict) -> None:
        self._rejected.append((replacement, verdict))

    def rejected(self) -> Sequence[tuple[str, CandidateVerdict]]:
        return list(self._rejected)

    def note_partial(self, candidate: PartialCandidate) -> None:
        self.partials.append(candidate)
        self.partials.sort(key=lambda p: (-len(p.fixed_tests), len(p.still_failing)))
        del self.partials[MAX_PARTIALS:]
