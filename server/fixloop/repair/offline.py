"""The offline engine: failure-driven rules first, then a mutation search guided by localisation.

No model and no network. Round one works on the original: rules from the error (see
`rules.py`), error-guided operators, then every one-edit mutant (see `mutate.py`) of the most
suspicious lines, cheapest first, line by line in the order fault localisation gave. When no
single edit is proven, round two takes the best partial candidates (a single edit that made
some failing tests pass and broke none, `RepairSession.partial_bases`) and runs the same
search on top of each, against what still fails on it: two independent faults, one edit each.
Last come pairs of cheap edits on the most suspicious lines. The order is fully deterministic.
Candidates go through the loop's session, which guards, validates and proves them; the engine
only proposes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from fixloop.observation import Observation
from fixloop.patch import kept_lines
from fixloop.repair import rules
from fixloop.repair.engine import Candidate, EngineReport, Failure, RepairSession
from fixloop.repair.mutate import Mutant, MutantGenerator
from fixloop.repair.operators import WiderMutantGenerator, error_guided
from fixloop.repair.source import SourceView

PROGRESS_EVERY = 50
GUARD_ERRORS = ("IndexError", "KeyError", "ZeroDivisionError")
PAIR_LINES = 4
PAIR_MUTANTS = 80
# Lines searched with the full operator set; lines further down the ranking get the cheap ones.
DEEP_LINES = 12
MAX_LINES = 60
# Round two: how many partial candidates it builds on, and how many edits it tries on each.
ROUND_TWO_BASES = 2
ROUND_TWO_CANDIDATES = 800


@dataclass(frozen=True)
class _Base:
    """What a round of single edits works on: a text, what fails on it, where to look."""

    source: str
    failure: Failure
    observation: Observation
    suspicious: list[tuple[int, float]]
    start: int  # the target range, in this text's lines
    end: int
    origin: str = ""  # the partial candidate's edit, for a second round


class _Feeder:
    """Hands candidates to the session in batches as wide as its parallelism."""

    def __init__(self, session: RepairSession) -> None:
        self.session = session
        self.proposed = 0

    def stopped(self) -> bool:
        return self.session.solved or self.session.remaining_seconds() <= 0

    async def feed(self, candidates: Iterable[Candidate]) -> bool:
        """Validate `candidates` in order; True when the search should stop."""
        session = self.session
        width = session.parallelism
        batch: list[Candidate] = []
        for text, origin in candidates:
            if self.stopped():
                return True
            batch.append((text, origin))
            if len(batch) < width:
                continue
            await session.try_batch(batch)
            self.proposed += len(batch)
            batch = []
            width = session.parallelism
            if self.proposed % PROGRESS_EVERY < width:
                session.progress(f"offline: {self.proposed} candidates proposed, latest {origin}")
        if batch and not self.stopped():
            await session.try_batch(batch)
            self.proposed += len(batch)
        return self.stopped()


class OfflineEngine:
    name = "offline"

    async def search(self, session: RepairSession) -> EngineReport:
        feeder = _Feeder(session)
        first = _first_base(session)
        if await feeder.feed(self._single_edits(session, first)):
            return EngineReport()
        for partial in await session.partial_bases(ROUND_TWO_BASES):
            if partial.failure is None or partial.observation is None:
                continue
            session.record(
                "round",
                base=partial.origin,
                fixed=sorted(partial.fixed_tests),
                still_failing=sorted(partial.still_failing),
            )
            session.progress(f"offline: a second edit on top of {partial.origin}")
            base = _on_top_of(session, partial.text, partial.failure, partial.observation)
            second = self._single_edits(
                session, _Base(**{**base.__dict__, "origin": partial.origin})
            )
            limited = (c for _, c in zip(range(ROUND_TWO_CANDIDATES), second, strict=False))
            if await feeder.feed(limited):
                return EngineReport()
        # Single edits exhausted: pairs of cheap edits on the most suspicious lines (a bug that
        # needs two tokens changed, e.g. a bound and its comparison).
        if await feeder.feed(self._pairs_of(first)):
            return EngineReport()
        session.progress(f"offline: search exhausted after {feeder.proposed} candidates")
        return EngineReport(notes=(f"offline: {feeder.proposed} candidates proposed",))

    def _candidates(self, session: RepairSession) -> Iterator[Candidate]:
        """Round one's candidates, then the pairs (without a second round, which needs the
        loop's answers): the engine's first proposals, for benchmarks."""
        first = _first_base(session)
        yield from self._single_edits(session, first)
        yield from self._pairs_of(first)

    def _single_edits(self, session: RepairSession, base: _Base) -> Iterator[Candidate]:
        """Every single edit of `base`, in order; named after the base's edit in round two."""
        for text, origin in self._edits(session, base):
            yield text, f"{base.origin} + {origin}" if base.origin else origin

    def _edits(self, session: RepairSession, base: _Base) -> Iterator[Candidate]:
        source = base.source
        failure = base.failure
        try:
            view = SourceView(source)
        except SyntaxError as exc:
            reported = failure.error_line or exc.lineno or 1
            for candidate in rules.syntax_candidates(
                source, reported, failure.error_message or exc.msg or ""
            ):
                yield candidate.text, candidate.origin
            return
        except ValueError:
            return
        allow_header = not session.explicit_range
        error_type = failure.error_type or ""
        line: int | None = failure.error_line
        yield from (
            (c.text, c.origin)
            for c in rules.error_candidates(
                view, error_type, failure.error_message or "", line, allow_header
            )
        )
        path = session.path.as_posix()
        yield from error_guided(view, failure, base.observation, path, allow_header)
        if error_type == "TypeError" and line:
            yield from ((c.text, c.origin) for c in rules.type_conversion_candidates(view, line))
        if error_type == "RecursionError":
            for name in _recursing_functions(base.observation, path):
                yield from ((c.text, c.origin) for c in rules.base_case_candidates(view, name))
        generator = WiderMutantGenerator(view)
        none_error = "NoneType" in (failure.error_message or "")
        if line and (error_type in GUARD_ERRORS or none_error):
            for mutant in sorted(generator.guards_for_line(line), key=lambda m: m.cost):
                yield mutant.edit.apply(source), f"{mutant.origin} (line {mutant.line})"
        ranked = _ranked_lines(base)
        # Lines with the same score form a tier: within a tier the cheapest mutants of every
        # line come first; a better tier is exhausted (cheap operators) before the next begins.
        scores = dict(base.suspicious)
        tiers: list[list[int]] = []
        for line_ in ranked[:DEEP_LINES]:
            score = round(scores.get(line_, 0.0), 6)
            if tiers and round(scores.get(tiers[-1][0], 0.0), 6) == score:
                tiers[-1].append(line_)
            else:
                tiers.append([line_])
        for tier in tiers:
            for mutant in self._sorted(generator, tier, deep=False, max_cost=2):
                yield mutant.edit.apply(source), f"{mutant.origin} (line {mutant.line})"
        for index, line_ in enumerate(ranked):
            deep = index < DEEP_LINES
            for mutant in sorted(generator.for_line(line_, deep=deep), key=lambda m: m.cost):
                yield mutant.edit.apply(source), f"{mutant.origin} (line {mutant.line})"

    def _pairs_of(self, base: _Base) -> Iterator[Candidate]:
        try:
            generator = WiderMutantGenerator(SourceView(base.source))
        except (SyntaxError, ValueError):
            return
        yield from self._pairs(base.source, generator, _ranked_lines(base)[:PAIR_LINES])

    def _pairs(
        self, source: str, generator: MutantGenerator, lines: list[int]
    ) -> Iterator[Candidate]:
        cheap = self._sorted(generator, lines, deep=False, max_cost=2)[:PAIR_MUTANTS]
        for i, first in enumerate(cheap):
            for second in cheap[i + 1 :]:
                a, b = sorted((first.edit, second.edit), key=lambda e: e.start)
                if a.end > b.start or (a.start == b.start):
                    continue  # overlapping edits of the same tokens
                text = a.apply(b.apply(source))
                yield text, f"{first.origin} + {second.origin} (lines {first.line}, {second.line})"

    def _sorted(
        self, generator: MutantGenerator, lines: list[int], *, deep: bool, max_cost: int
    ) -> list[Mutant]:
        chosen: list[tuple[int, int, Mutant]] = []
        for rank, line in enumerate(lines):
            for mutant in generator.for_line(line, deep=deep):
                if mutant.cost <= max_cost:
                    chosen.append((mutant.cost, rank, mutant))
        chosen.sort(key=lambda item: (item[0], item[1]))
        return [m for _, _, m in chosen]


def _first_base(session: RepairSession) -> _Base:
    return _Base(
        session.source,
        session.failure,
        session.baseline,
        list(session.suspicious),
        session.target.start,
        session.target.end,
    )


def _ranked_lines(base: _Base) -> list[int]:
    """The lines to mutate, most suspicious first, the failing line first of all."""
    ranked = [line for line, _ in base.suspicious]
    line = base.failure.error_line
    if line and base.start <= line <= base.end and line not in ranked:
        ranked.insert(0, line)
    if not ranked:
        ranked = list(range(base.start, base.end + 1))
    return [n for n in ranked if base.start <= n <= base.end][:MAX_LINES]


def _on_top_of(
    session: RepairSession, text: str, failure: Failure, observation: Observation
) -> _Base:
    """A base for a second round: the partial candidate's text, with the session's suspicious
    lines and target range moved to its line numbers."""
    moved = kept_lines(session.source, text)
    delta = len(text.splitlines()) - len(session.source.splitlines())
    suspicious = [(moved.get(line, line), score) for line, score in session.suspicious]
    target = session.target
    return _Base(
        text, failure, observation, suspicious, target.start, max(target.start, target.end + delta)
    )


def _recursing_functions(observation: Observation, path: str) -> list[str]:
    names: dict[str, int] = {}
    for outcome in observation.outcomes:
        if outcome.error is None:
            continue
        for frame in outcome.error.frames:
            if frame.file == path:
                names[frame.function] = names.get(frame.function, 0) + 1
    return [n for n, _ in sorted(names.items(), key=lambda item: -item[1])][:3]
