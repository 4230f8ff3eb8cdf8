"""Small projects shared by the checker-oracle tests: code whose tests pass while a checker objects.

`average.py` returns `total / len(values)` under an `-> int` annotation, so mypy reports
`[return-value]` and the tests' type assertion fails. Both the model test (tests/llm) and the
CLI test (tests/repair) start from it, so they share one copy of the project.
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


def write_project(root: Path, **files: str) -> Path:
    """Write each `name=text` pair as a file under `root` and return `root`."""
    for name, text in files.items():
        (root / name).write_text(text)
    return root
