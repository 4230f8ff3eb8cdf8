"""The offline engine: failure-driven rules first, then a mutation search guided by localisation.

No model and no network. Rules come from the error (see `rules.py`); then every one-edit mutant
(see `mutate.py`) of the most suspicious lines is validated, cheapest first, line by line in the
order fault localisation gave. The order is fully deterministic. Candidates go through the
loop's session, which guards, validates and proves them; the engine only proposes.
"""

from __future__ import annotations

from collections.abc import Iterator

from fixloop.repair import rules
from fixloop.repair.engine import Candidate, EngineReport, RepairSession
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


class OfflineEngine:
    name = "offline"

    async def search(self, session: RepairSession) -> EngineReport:
        width = session.parallelism
        proposed = 0
        batch: list[Candidate] = []
        for text, origin in self._candidates(session):
            if session.solved or session.remaining_seconds() <= 0:
                return EngineReport()
            batch.append((text, origin))
            if len(batch) < width:
                continue
            await session.try_batch(batch)
            proposed += len(batch)
            batch = []
            width = session.parallelism
            if proposed % PROGRESS_EVERY < width:
                session.progress(f"offline: {proposed} candidates proposed, latest {origin}")
        if batch and not session.solved and session.remaining_seconds() > 0:
            await session.try_batch(batch)
            proposed += len(batch)
        session.progress(f"offline: search exhausted after {proposed} candidates")
        return EngineReport(notes=(f"offline: {proposed} candidates proposed",))

    def _candidates(self, session: RepairSession) -> Iterator[tuple[str, str]]:
        source = session.source
        failure = session.failure
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
        baseline = session.baseline
        path = session.path.as_posix()
        yield from error_guided(view, failure, baseline, path, allow_header)
        if error_type == "TypeError" and line:
            yield from ((c.text, c.origin) for c in rules.type_conversion_candidates(view, line))
        if error_type == "RecursionError":
            for name in self._recursing_functions(session):
                yield from ((c.text, c.origin) for c in rules.base_case_candidates(view, name))
        generator = WiderMutantGenerator(view)
        none_error = "NoneType" in (failure.error_message or "")
        if line and (error_type in GUARD_ERRORS or none_error):
            for mutant in sorted(generator.guards_for_line(line), key=lambda m: m.cost):
                yield mutant.edit.apply(source), f"{mutant.origin} (line {mutant.line})"
        scored = list(session.suspicious)
        ranked = [line_ for line_, _ in scored]
        target = session.target
        if line and target.start <= line <= target.end and line not in ranked:
            ranked.insert(0, line)
        if not ranked:
            ranked = list(range(target.start, target.end + 1))
        ranked = [n for n in ranked if target.start <= n <= target.end][:MAX_LINES]
        # Lines with the same score form a tier: within a tier the cheapest mutants of every
        # line come first; a better tier is exhausted (cheap operators) before the next begins.
        scores = dict(scored)
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
        # Single edits exhausted: pairs of cheap edits on the most suspicious lines (a bug that
        # needs two tokens changed, e.g. a bound and its comparison).
        yield from self._pairs(source, generator, ranked[:PAIR_LINES])

    def _pairs(
        self, source: str, generator: MutantGenerator, lines: list[int]
    ) -> Iterator[tuple[str, str]]:
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

    def _recursing_functions(self, session: RepairSession) -> list[str]:
        names: dict[str, int] = {}
        for outcome in session.baseline.outcomes:
            if outcome.error is None:
                continue
            for frame in outcome.error.frames:
                if frame.file == str(session.path.as_posix()):
                    names[frame.function] = names.get(frame.function, 0) + 1
        return [n for n, _ in sorted(names.items(), key=lambda item: -item[1])][:3]
