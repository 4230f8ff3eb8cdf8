"""The wider offline search: everyday bug classes the one-token mutations do not reach.

Two kinds of operator feed the offline engine. Error-guided ones read the failure (every failing
test's error, see `symptoms.py`) and propose the fix that error asks for: a missing `await`, the
sibling API, a date format that parses the shown data, a separator present in the shown data, a
missing key initialisation, swapped loop targets, a missing `return`, an f-string; and, whatever
the error, a mutable class attribute that instances change in place. They run right after the
failure-driven rules, before any mutation. Structural ones read the code of a
suspicious line and the function it sits in; `WiderMutantGenerator` adds them to the mutation
operators of that line, so they join the mutation tiers with comparable costs (1 = one token,
2-3 = a small rewrite). Every candidate is one `Edit` on the original text, so formatting and
comments outside it survive byte for byte.
"""

from __future__ import annotations

from collections.abc import Iterator

from fixloop.observation import Observation
from fixloop.repair import (
    apis,
    awaits,
    conditions,
    dates,
    keys,
    loops,
    mutables,
    orderings,
    returns,
    strings,
)
from fixloop.repair.engine import Failure
from fixloop.repair.mutate import Mutant, MutantGenerator
from fixloop.repair.source import SourceView
from fixloop.repair.symptoms import Symptom, symptoms_of

MAX_SYMPTOMS = 6


def guided_mutants(view: SourceView, symptom: Symptom, allow_header: bool) -> Iterator[Mutant]:
    """What one error asks for, in a fixed order: the most specific messages first."""
    yield from awaits.for_symptom(view, symptom, allow_header)
    yield from apis.for_symptom(view, symptom)
    yield from dates.for_symptom(view, symptom)
    yield from strings.separators_for_symptom(view, symptom)
    yield from keys.key_initialisation(view, symptom, allow_header)
    yield from loops.targets_for_symptom(view, symptom)
    yield from returns.missing_return_for_symptom(view, symptom)
    yield from strings.fstrings_for_symptom(view, symptom)


def error_guided(
    view: SourceView,
    failure: Failure,
    baseline: Observation | None,
    target_file: str,
    allow_header: bool,
) -> Iterator[tuple[str, str]]:
    """Whole-file candidates (text, origin) for the errors of the failing run, in order."""
    for symptom in symptoms_of(failure, baseline, target_file)[:MAX_SYMPTOMS]:
        for mutant in guided_mutants(view, symptom, allow_header):
            yield mutant.edit.apply(view.source), f"{mutant.origin} (line {mutant.line})"
    for mutant in mutables.shared_class_state(view):
        yield mutant.edit.apply(view.source), f"{mutant.origin} (line {mutant.line})"


def structural_mutants(view: SourceView, line: int) -> Iterator[Mutant]:
    """Candidates from the code of `line` and of the function (and class) it sits in."""
    yield from strings.fstrings_at_line(view, line)
    yield from awaits.at_line(view, line)
    yield from loops.targets_at_line(view, line)
    yield from orderings.at_line(view, line)
    yield from conditions.at_line(view, line)
    yield from dates.at_line(view, line)
    yield from strings.join_separators_at_line(view, line)
    yield from mutables.mutable_defaults(view, line)
    yield from mutables.mutable_class_attributes(view, line)
    yield from loops.initialisations_at_line(view, line)
    yield from returns.missing_return(view, line)


class WiderMutantGenerator(MutantGenerator):
    """The structural operators of this module on a line, then the mutation operators.

    The search orders a line's candidates by cost and keeps this order among equal costs, so a
    structural candidate goes before a generic mutation of the same cost. A judgement call: a
    structural operator fires only on its own pattern (a clause chain, a loop over pairs, a
    mutable default), where a generic one (another name, another constant) fits anywhere, and
    passes weak tests more easily for the wrong reason (`member < 65` for a dropped `age < 65`).
    """

    def for_line(self, line: int, *, deep: bool = True) -> Iterator[Mutant]:
        for mutant in structural_mutants(self.view, line):
            # Lines far down the ranking get only the cheap rewrites, like the mutation search.
            if deep or mutant.cost <= 2:
                yield mutant
        yield from super().for_line(line, deep=deep)
