"""Where the wider operators enter the offline engine's candidate order (no sandbox needed).

The engine's `_candidates` is a plain generator over the session's values; these tests give it
those values directly and read the order it proposes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fixloop.observation import Observation, TestOutcome
from fixloop.repair.engine import Failure, LineRange
from fixloop.repair.offline import OfflineEngine
from fixloop.sandbox.base import ErrorInfo, Frame

from .helpers import code


@dataclass
class SessionValues:
    """The values `_candidates` reads from the loop's session."""

    source: str
    failure: Failure
    target: LineRange
    suspicious: list[tuple[int, float]]
    baseline: Observation | None = None
    path: Path = Path("prog.py")
    explicit_range: bool = False


def order(values: SessionValues) -> list[tuple[str, str]]:
    return list(OfflineEngine()._candidates(values))  # type: ignore[arg-type]


def failing(error_type: str, message: str, line: int) -> tuple[Failure, Observation]:
    error = ErrorInfo(error_type, message, "prog.py", line, (Frame("prog.py", line, "f"),))
    outcome = TestOutcome("test_prog.py::test_f", "failed", lines=(line,), error=error)
    failure = Failure(
        f"{error_type}: {message}", "", error_type, message, line, ("test_prog.py::test_f",)
    )
    return failure, Observation((outcome,))


def test_error_guided_candidates_come_before_guards_and_mutations() -> None:
    source = code(
        """
        def index_pages(entries):
            pages = {}
            for word, page in entries:
                pages[word].add(page)
            return pages
        """
    )
    failure, baseline = failing("KeyError", "'cat'", 4)
    values = SessionValues(source, failure, LineRange(1, 5), [(4, 1.0)], baseline)
    texts = [text for text, _ in order(values)]
    intended = source.replace("pages[word].add", "pages.setdefault(word, set()).add")
    skipped = source.replace(
        "        pages[word].add",
        "        if word not in pages:\n            continue\n        pages[word].add",
    )
    assert texts.index(intended) == 0
    assert skipped in texts and texts.index(intended) < texts.index(skipped)


def test_rules_keep_their_place_before_the_guided_operators() -> None:
    source = code(
        """
        def spread(values):
            mean = statistics.mean(values)
            return [v - mean for v in values]
        """
    )
    failure, baseline = failing("NameError", "name 'statistics' is not defined", 2)
    first_text, first_origin = order(
        SessionValues(source, failure, LineRange(1, 3), [(2, 1.0)], baseline)
    )[0]
    assert first_origin == "add `import statistics`"
    assert first_text == "import statistics\n" + source


def test_a_structural_candidate_joins_the_first_tier_of_its_line() -> None:
    source = code(
        """
        def receipt(name, total):
            label = "Thanks {name}"
            return label + " " + str(total)
        """
    )
    failure = Failure("1 failing", "", "AssertionError", "", None, ("test_prog.py::test_r",))
    values = SessionValues(source, failure, LineRange(1, 3), [(2, 1.0), (3, 1.0)])
    proposed = order(values)
    texts = [text for text, _ in proposed]
    intended = source.replace('"Thanks {name}"', 'f"Thanks {name}"')
    assert intended in texts[:3], [origin for _, origin in proposed[:5]]
    origin = proposed[texts.index(intended)][1]
    assert origin == "make the string an f-string (line 2)"
