"""Small projects shared by the checker-oracle tests: code whose tests pass while a checker objects.

`average.py` returns `total / len(values)` under an `-> int` annotation, so mypy reports
`[return-value]` and the tests' type assertion fails. Both the model test (tests/llm) and the
CLI test (tests/repair) and the editor test (tests/lsp) start from it; `total.py` is the case
where the tests pass and only mypy objects. One copy of each project serves them all.
"""

from __future__ import annotations

from pathlib import Path

AVERAGE = """def average(values: list[int]) -> int:
    total = 0
    for value in values:
        total += value
    return total / len(values)
"""
AVERAGE_TESTS = """from average import average


def test_average():
    assert average([2, 4]) == 3
    assert isinstance(average([2, 5]), int)
"""
# Runs and passes its tests; only mypy objects (`str` returned where `int` is promised).
TOTAL = """def total(xs: list[int]) -> int:
    return str(sum(xs))
"""
TOTAL_TESTS = """from total import total


def test_total():
    assert str(total([1, 2])) == "3"
"""


def write_project(root: Path, **files: str) -> Path:
    """Write each `name=text` pair as a file under `root` and return `root`."""
    for name, text in files.items():
        (root / name).write_text(text)
    return root
