"""Guards refuse candidates that cheat the oracle and accept honest edits."""

from __future__ import annotations

import pytest
from fixloop.guards import GuardSet
from fixloop.spans import LineRange

ORIGINAL = """import os


def ratio(a, b):
    total = a + b
    return a / total


def other():
    return 1
"""


def check(
    candidate: str, *, target: LineRange = LineRange(4, 6), header: bool = False
) -> str | None:
    """The refusal reason, through `screen()`: the path production takes."""
    guards = GuardSet(ORIGINAL, target, failing_lines={6}, allow_header_imports=header)
    screening = guards.screen(candidate)
    return screening.reason if screening.refused else None


def test_honest_edit_is_accepted() -> None:
    assert check(ORIGINAL.replace("a / total", "a / total if total else 0.0")) is None


@pytest.mark.parametrize(
    ("candidate", "reason"),
    [
        (
            ORIGINAL.replace(
                "    return a / total",
                "    try:\n        return a / total\n    except Exception:\n        pass",
            ),
            "broad except",
        ),
        (
            ORIGINAL.replace(
                "    return a / total", "    import sys\n    sys.exit(0)\n    return a / total"
            ),
            "sys.exit",
        ),
        (ORIGINAL.replace("    return a / total", "    os._exit(0)"), "os._exit"),
        (ORIGINAL.replace("    return a / total\n", ""), "deletes the failing statement"),
        (ORIGINAL.replace("    return 1", "    return 2"), "outside the target"),
        (
            ORIGINAL.replace("    total = a + b\n", "    total = a + b\n    return 0.0\n"),
            "unreachable",
        ),
        (
            ORIGINAL.replace("    total = a + b\n", "    import pytest\n    total = a + b\n"),
            "pytest",
        ),
    ],
)
def test_cheats_are_refused(candidate: str, reason: str) -> None:
    verdict = check(candidate)
    assert verdict is not None and reason in verdict


def test_header_import_allowed_only_when_range_inferred() -> None:
    candidate = ORIGINAL.replace("import os\n", "import os\nimport math\n")
    assert check(candidate, header=True) is None
    assert check(candidate, header=False) is not None
