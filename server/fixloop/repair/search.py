"""The state of one repair search: what was tried, what failed, what passed, who won.

`SearchState` is shared by every engine of a loop. It counts the candidates validated, drops
repeats before any guard or sandbox work (`first_sight`), keeps the rejected replacements that
the model sees as feedback, and holds the candidates that passed, each with its proof.

Room for what comes next, without another restructuring:
- several passing candidates, ranked: `keep` says how many proven candidates end the search
  (1 today: the first wins), `passing` holds them all, and `winner` is the best by `rank_key`
  (a candidate that changes one of the program's checks after every one that does not, then
  the order they were found in). A candidate that changes a check never ends the search: it
  is the fallback (`fallback`) while the search looks for one that leaves the checks alone;
- partial candidates: `note_partial` keeps the candidates that turned some previously failing
  tests green and broke none (`partials`, best first), the base of a second round of edits.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from fixloop.fixes import OracleSide
from fixloop.repair.engine import CandidateVerdict

MAX_PARTIALS = 20


@dataclass(frozen=True)
class PassingCandidate:
    """A candidate that passed its warm check and its fresh proof."""

    text: str
    origin: str
    after: OracleSide  # the proof's verdict
    found: int  # how many candidates had been tried when it was found
    changes_check: str = ""  # the assert or raise-guard it changes ("" when none)

    def rank_key(self) -> tuple[int, ...]:
        """Smaller is better: leaving the program's checks alone first, then the earliest."""
        return (int(bool(self.changes_check)), self.found)


@dataclass(frozen=True)
class PartialCandidate:
    """A candidate that turned some failing tests green and broke none (not proven)."""

    text: str
    origin: str
    fixed_tests: frozenset[str]
    still_failing: frozenset[str]


class SearchState:
    def __init__(self, original: str, *, keep: int = 1) -> None:
        self.original = original
        self.keep = keep
        self.tried = 0
        self.passing: list[PassingCandidate] = []
        self.partials: list[PartialCandidate] = []
        self._seen: set[str] = set()
        self._rejected: list[tuple[str, CandidateVerdict]] = []

    @property
    def solved(self) -> bool:
        """Enough proven candidates that leave the checks alone to end the search."""
        return sum(1 for p in self.passing if not p.changes_check) >= self.keep

    @property
    def fallback(self) -> PassingCandidate | None:
        """The first proven candidate that changes a check, kept in case nothing better comes."""
        return next((p for p in self.passing if p.changes_check), None)

    @property
    def winner(self) -> PassingCandidate | None:
        return min(self.passing, key=PassingCandidate.rank_key, default=None)

    def first_sight(self, text: str) -> bool:
        """True (and remembered) the first time `text` comes; False for repeats and the original."""
        digest = hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()
        if digest in self._seen or text == self.original:
            return False
        self._seen.add(digest)
        return True

    def count_tried(self, count: int) -> None:
        self.tried += count

    def accept(self, text: str, origin: str, after: OracleSide, *, changes_check: str = "") -> None:
        self.passing.append(PassingCandidate(text, origin, after, self.tried, changes_check))

    def reject(self, replacement: str, verdict: CandidateVerdict) -> None:
        self._rejected.append((replacement, verdict))

    def rejected(self) -> Sequence[tuple[str, CandidateVerdict]]:
        return list(self._rejected)

    def note_partial(self, candidate: PartialCandidate) -> None:
        self.partials.append(candidate)
        self.partials.sort(key=lambda p: (-len(p.fixed_tests), len(p.still_failing)))
        del self.partials[MAX_PARTIALS:]
