"""Run one operator on a source text and check what every candidate must satisfy.

Every candidate is checked as it is produced: it parses, it differs from the original, and the
text outside its edit is the original's, byte for byte.
"""

from __future__ import annotations

import ast
import textwrap
from collections.abc import Callable, Iterable

from fixloop.repair.mutate import Mutant
from fixloop.repair.source import SourceView
from fixloop.repair.symptoms import Symptom


def code(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def checked(source: str, mutant: Mutant) -> str:
    edit = mutant.edit
    text = edit.apply(source)
    assert text != source, mutant.origin
    assert text[: edit.start] == source[: edit.start], mutant.origin
    tail = len(source) - edit.end
    assert text[len(text) - tail :] == source[edit.end :], mutant.origin
    ast.parse(text)
    assert mutant.cost >= 1 and mutant.origin
    return text


def at_line(
    operator: Callable[[SourceView, int], Iterable[Mutant]], source: str, line: int
) -> list[str]:
    """Candidate texts of a structural operator on `line`, in the order it gives them."""
    return [checked(source, m) for m in operator(SourceView(source), line)]


def symptom(error_type: str, message: str, *lines: int) -> Symptom:
    return Symptom(error_type, message, lines[0] if lines else None, tuple(lines))


def guided(
    operator: Callable[..., Iterable[Mutant]], source: str, sick: Symptom, *extra: object
) -> list[str]:
    """Candidate texts of an error-guided operator for one symptom, in order."""
    return [checked(source, m) for m in operator(SourceView(source), sick, *extra)]


def rank_of(expected: str, texts: list[str], within: int) -> int:
    """Where `expected` comes among `texts`; it must be among the first `within`."""
    assert expected in texts, "\n---\n".join(texts[:8])
    index = texts.index(expected)
    assert index < within, f"intended candidate at {index}: {texts[: index + 1]}"
    return index
