"""The shape of an edit, which ranks passing candidates: guard or computation, size, place."""

from __future__ import annotations

import textwrap

import pytest
from fixloop.repair.shape import ShapeJudge, guard_marks

SOURCE = textwrap.dedent(
    """
    def mean(xs):
        total = 0
        for x in xs:
            total += x
        return total / len(xs)
    """
).lstrip("\n")


def judge(completed: frozenset[int] | None = None) -> ShapeJudge:
    return ShapeJudge(SOURCE, {5: 0, 4: 1, 3: 2}, completed)


@pytest.mark.parametrize(
    "edited",
    [
        SOURCE.replace("    return total", "    if not xs:\n        return 0\n    return total"),
        SOURCE.replace(
            "        total += x", "        if x is None:\n            continue\n        total += x"
        ),
        SOURCE.replace("        total += x", "        if x:\n            total += x"),
        SOURCE.replace(
            "    return total / len(xs)",
            "    try:\n        return total / len(xs)\n    except ZeroDivisionError:\n        return 0",
        ),
        SOURCE.replace("len(xs)", "(len(xs) or 1)"),
        SOURCE.replace("total / len(xs)", "total / len(xs) if xs else 0"),
    ],
    ids=["early return", "continue", "wrapping if", "try", "or default", "conditional default"],
)
def test_guards_that_skip_the_failing_work_are_recognised(edited: str) -> None:
    assert judge().shape(edited).skip_guard
    assert judge().shape(edited).tier == 1


@pytest.mark.parametrize(
    "edited",
    [
        SOURCE.replace("total / len(xs)", "total / max(1, len(xs))"),
        SOURCE.replace("total = 0", "total = 0.0"),
        SOURCE.replace(
            "    return total",
            "    if not xs:\n        raise ValueError('empty')\n    return total",
        ),
    ],
    ids=["call wrapper", "constant", "raise-guard"],
)
def test_edits_of_the_computation_are_not_guards(edited: str) -> None:
    shape = judge().shape(edited)
    assert not shape.skip_guard and shape.tier == 0


def test_size_counts_changed_tokens_and_distance_the_best_suspicious_rank() -> None:
    small = judge().shape(SOURCE.replace("total / len(xs)", "total // len(xs)"))
    large = judge().shape(SOURCE.replace("total / len(xs)", "sum(xs) / max(1, len(xs))"))
    assert small.size < large.size
    assert small.distance == 0
    far = judge().shape(SOURCE.replace("total = 0", "total = 1"))
    assert far.distance == 3  # line 2 is not suspicious at all: after every ranked line


def test_with_the_script_oracle_a_rewrite_of_lines_that_never_completed_ranks_after_guards() -> (
    None
):
    # Lines 1-4 completed before the failure; line 5 (the division) never did.
    completed = frozenset({1, 2, 3, 4})
    operator = judge(completed).shape(SOURCE.replace("total / len(xs)", "total * len(xs)"))
    assert operator.unevidenced and operator.tier == 2
    loop = judge(completed).shape(SOURCE.replace("for x in xs", "for x in xs[1:]"))
    assert not loop.unevidenced and loop.tier == 0
    guard = judge(completed).shape(
        SOURCE.replace("    return total", "    if not xs:\n        return 0\n    return total")
    )
    assert guard.tier == 1
    assert judge(None).shape(SOURCE.replace("total / len(xs)", "total * len(xs)")).tier == 0


def test_guard_marks_count_only_guards() -> None:
    import ast

    assert not guard_marks(ast.parse(SOURCE))


def test_operators_strings_and_negative_numbers_count_as_one_token() -> None:
    source = 'def f(x, path):\n    return x > 1 and "/" not in path\n'
    shapes = ShapeJudge(source, {})
    sizes = {
        edit: shapes.shape(source.replace(old, new)).size
        for edit, (old, new) in {
            ">=": ("x > 1", "x >= 1"),
            "==": ("x > 1", "x == 1"),
            "-1": ("x > 1", "x > -1"),
            "string": ('"/"', '" "'),
        }.items()
    }
    assert sizes == {">=": 2, "==": 2, "-1": 2, "string": 2}
    dropped = shapes.shape(source.replace(' and "/" not in path', ""))
    assert dropped.size == 5 and dropped.size_class == 0  # as small a class as one token
