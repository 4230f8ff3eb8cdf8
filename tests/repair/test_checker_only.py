"""`fixloop fix --checker` when only the checker fails: the tests pass on the original.

The usual editor case: mypy reports an error but the code runs and its tests pass. The loop
searches anyway, led by the diagnostic: mypy runs for real in the sandbox (local and bwrap) on
the original and on each candidate's proof; a fix must clear the diagnostic and keep every test
passing. When the tests pin the very behaviour mypy objects to, no candidate can do both, and
the result says so.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from .conftest import CliResult

SANDBOXES = ["local", pytest.param("bwrap", marks=pytest.mark.bwrap)]

TOTAL = """def total(xs: list[int]) -> int:
    return str(sum(xs))


def mean(xs: list[int]) -> float:
    return sum(xs) / len(xs)
"""
TOTAL_TESTS = """from total import mean, total


def test_total():
    assert str(total([1, 2])) == "3"


def test_total_empty():
    assert int(total([])) == 0


def test_mean():
    assert mean([1, 3]) == 2
"""
# The tests want the string mypy objects to: nothing can satisfy both.
CONFIG = """def load() -> dict[str, int]:
    return {"retries": "3"}
"""
CONFIG_TESTS = """from config import load


def test_load():
    assert load() == {"retries": "3"}
"""


def _project(root: Path, **files: str) -> Path:
    for name, text in files.items():
        (root / name).write_text(text)
    return root


@pytest.mark.parametrize("sandbox", SANDBOXES)
def test_mypy_error_with_passing_tests_is_fixed(
    fixloop_fix: Callable[..., CliResult], tmp_path: Path, sandbox: str
) -> None:
    project = _project(tmp_path, **{"total.py": TOTAL, "test_total.py": TOTAL_TESTS})
    done = fixloop_fix(
        "total.py", "--test", "test_total.py", "--checker", "mypy:return-value:2",
        "--sandbox", sandbox, "--json", cwd=project,
    )  # fmt: skip
    assert done.code == 0, done.stderr
    result = done.json()
    assert result["verified"] is True, result["reason"]
    assert "-    return str(sum(xs))\n+    return sum(xs)\n" in result["diff"]
    checker = result["checker"]
    assert checker["status"] == "cleared" and checker["code"] == "return-value", checker
    assert checker["line"] == 2
    assert result["evidence"] == "mypy: [return-value] cleared; tests: 3/3 pass (before and after)"
    assert result["proof"]["before"]["status"] == "passed", result["proof"]
    assert result["proof"]["after"]["passed"] == 3, result["proof"]
    assert "failing ->" not in done.stderr
    assert (project / "total.py").read_text() == TOTAL  # no --write: the file is kept
    # The search was led by the diagnostic: it was the failure, its function the target.
    events = [json.loads(line) for line in Path(result["transcript"]).read_text().splitlines()]
    (target,) = [e for e in events if e["kind"] == "target"]
    assert (target["start"], target["end"]) == (1, 2), target
    assert target["failure"] == "mypy reports [return-value] at line 2; the tests pass (3/3)"
    assert not any(e.get("nothing_to_fix") for e in events)


@pytest.mark.parametrize("sandbox", SANDBOXES)
def test_no_candidate_clears_it_says_why(
    fixloop_fix: Callable[..., CliResult], tmp_path: Path, sandbox: str
) -> None:
    project = _project(tmp_path, **{"config.py": CONFIG, "test_config.py": CONFIG_TESTS})
    done = fixloop_fix(
        "config.py", "--test", "test_config.py", "--checker", "mypy:dict-item:2",
        "--sandbox", sandbox, "--budget", "60", "--json", cwd=project,
    )  # fmt: skip
    assert done.code == 1, done.stderr
    result = done.json()
    assert result["verified"] is False and result["nothing_to_fix"] is False, result
    assert result["reason"].startswith(
        "no candidate cleared mypy [dict-item] at line 2 while pytest test_config.py kept passing"
    ), result["reason"]
    assert result["checker"]["status"] == "not cleared", result["checker"]
    assert result["candidates_tried"] > 0
    assert (project / "config.py").read_text() == CONFIG


def test_passing_tests_and_no_diagnostic_is_nothing_to_fix(
    fixloop_fix: Callable[..., CliResult], tmp_path: Path
) -> None:
    fixed = TOTAL.replace("return str(sum(xs))", "return sum(xs)")
    project = _project(tmp_path, **{"total.py": fixed, "test_total.py": TOTAL_TESTS})
    done = fixloop_fix(
        "total.py", "--test", "test_total.py", "--checker", "mypy:return-value:2", "--json",
        cwd=project,
    )  # fmt: skip
    result = done.json()
    assert result["nothing_to_fix"] is True and result["verified"] is False, result
    assert result["checker"]["status"] == "not shown", result["checker"]
