"""Mutation operators, failure-driven rules and fault localisation, on plain values."""

from __future__ import annotations

from fixloop.observation import Observation, TestOutcome
from fixloop.repair import rules
from fixloop.repair.localise import rank_lines
from fixloop.repair.mutate import MutantGenerator
from fixloop.repair.source import SourceView
from fixloop.sandbox.base import ErrorInfo, Frame


def mutants(source: str, line: int) -> dict[str, str]:
    generator = MutantGenerator(SourceView(source))
    return {m.edit.apply(source): m.origin for m in generator.for_line(line)}


def test_operators_keep_comments_and_formatting() -> None:
    source = "def adult(age):\n    return age > 18  # legal age\n"
    found = mutants(source, 2)
    assert "def adult(age):\n    return age >= 18  # legal age\n" in found


def test_off_by_one_swap_and_guard_mutants() -> None:
    source = "def last(xs, a, b):\n    return xs[len(xs)] + (a - b)\n"
    found = mutants(source, 2)
    assert any("xs[len(xs) - 1]" in text for text in found)
    assert any("(b - a)" in text for text in found)
    assert any("if not xs:\n        return None\n" in text for text in found)


def test_near_copy_renames_every_occurrence() -> None:
    source = "class P:\n    def __init__(self, x, y):\n        self.x = x\n\n    def n(self):\n        return self.y\n"
    found = mutants(source, 3)
    assert any("self.x = x\n        self.y = y\n" in text for text in found)


def test_syntax_rules_fix_a_missing_colon_and_bracket() -> None:
    source = "def f(n)\n    return abs((n)\n"
    texts = [c.text for c in rules.syntax_candidates(source, 1, "expected ':'")]
    assert "def f(n):\n    return abs((n)\n" in texts
    texts = [c.text for c in rules.syntax_candidates("x = abs((1)\n", 1, "'(' was never closed")]
    assert "x = abs((1))\n" in texts


def test_name_error_rule_adds_stdlib_import() -> None:
    source = '"""Doc."""\n\n\ndef h(a):\n    return math.sqrt(a)\n'
    view = SourceView(source)
    texts = [
        c.text
        for c in rules.error_candidates(view, "NameError", "name 'math' is not defined", 5, True)
    ]
    assert '"""Doc."""\nimport math\n\n\ndef h(a):\n    return math.sqrt(a)\n' in texts


def test_attribute_rule_near_miss_on_list() -> None:
    source = "def add(q, x):\n    q.apend(x)\n"
    view = SourceView(source)
    texts = [
        c.text
        for c in rules.error_candidates(
            view, "AttributeError", "'list' object has no attribute 'apend'", 2, True
        )
    ]
    assert texts[0] == "def add(q, x):\n    q.append(x)\n"


def test_ochiai_ranks_lines_only_failing_tests_run_first() -> None:
    observation = Observation(
        (
            TestOutcome("t1", "passed", lines=(1, 2, 3)),
            TestOutcome("t2", "passed", lines=(1, 2, 3)),
            TestOutcome(
                "t3",
                "failed",
                lines=(1, 2, 4),
                error=ErrorInfo("ValueError", "", "m.py", 2, (Frame("m.py", 2, "f"),)),
            ),
        )
    )
    ranked = [line for line, _ in rank_lines(observation, "m.py", range(1, 10))]
    assert ranked[:2] == [2, 4]  # the frame's line, then the line only the failing test ran
    assert 3 not in ranked


def test_pairs_of_cheap_edits_come_after_single_edits() -> None:
    from fixloop.repair.offline import OfflineEngine

    source = "def inside(x, hi):\n    return x < hi and x > 0\n"
    generator = MutantGenerator(SourceView(source))
    texts = [text for text, _ in OfflineEngine()._pairs(source, generator, [2])]
    assert "def inside(x, hi):\n    return x <= hi and x >= 0\n" in texts
    assert source not in texts
