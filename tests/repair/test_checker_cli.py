"""`fixloop fix --checker`: a fix must also clear a checker's diagnostic, the checker run for real.

mypy, ruff and the compile check run in the sandbox (local and bwrap) from the interpreter for
the code: the test venv's, which has mypy and ruff as dev dependencies. The evidence names the
checker; an interpreter without the checker (the system python has no mypy) says so, and the
fix is then proved by the run alone.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from checker_projects import AVERAGE, AVERAGE_TESTS, write_project
from fixloop.checker_oracle import run_checker
from fixloop.sandbox import Limits, open_sandbox

from .conftest import CliResult

SANDBOXES = ["local", pytest.param("bwrap", marks=pytest.mark.bwrap)]

MISSING_COLON = """def area(width, height):
    return width * height


def describe(width, height)
    return f"{width}x{height} has area {area(width, height)}"


print(describe(2, 3))
"""
TYPO = """def total_price(prices, tax):
    subtotal = sum(prices)
    return subtotl * (1 + tax)


print(total_price([1.0, 2.0], 0.5))
"""


@pytest.mark.parametrize("sandbox", SANDBOXES)
def test_mypy_error_cleared_and_tests_pass(
    fixloop_fix: Callable[..., CliResult], tmp_path: Path, sandbox: str
) -> None:
    project = write_project(tmp_path, **{"average.py": AVERAGE, "test_average.py": AVERAGE_TESTS})
    done = fixloop_fix(
        "average.py", "--test", "test_average.py", "--checker", "mypy", "--sandbox", sandbox,
        "--json", cwd=project,
    )  # fmt: skip
    assert done.code == 0, done.stderr
    result = done.json()
    assert result["verified"] is True
    assert "-    return total / len(values)" in result["diff"]
    checker = result["checker"]
    assert checker["status"] == "cleared" and checker["code"] == "return-value", checker
    assert checker["line"] == 5
    assert result["evidence"] == "mypy: [return-value] cleared; tests: 1 failing -> 1/1 pass"
    assert (project / "average.py").read_text() == AVERAGE  # no --write: the file is kept


@pytest.mark.parametrize("sandbox", SANDBOXES)
def test_syntax_error_cleared_by_the_compile_check(
    fixloop_fix: Callable[..., CliResult], tmp_path: Path, sandbox: str
) -> None:
    project = write_project(tmp_path, **{"shapes.py": MISSING_COLON})
    done = fixloop_fix(
        "shapes.py", "--checker", "py_compile::5", "--sandbox", sandbox, "--json", cwd=project
    )
    assert done.code == 0, done.stderr
    result = done.json()
    assert "+def describe(width, height):" in result["diff"]
    assert result["checker"]["status"] == "cleared", result["checker"]
    assert result["evidence"].startswith("py_compile: [SyntaxError] cleared; ")


@pytest.mark.parametrize("sandbox", SANDBOXES)
def test_ruff_undefined_name_cleared(
    fixloop_fix: Callable[..., CliResult], tmp_path: Path, sandbox: str
) -> None:
    project = write_project(tmp_path, **{"prices.py": TYPO})
    done = fixloop_fix("prices.py", "--checker", "ruff:F821:3", "--sandbox", sandbox, cwd=project)
    assert done.code == 0, done.stderr
    assert "+    return subtotal * (1 + tax)" in done.stdout
    assert "ruff: [F821] cleared; runs without error" in done.stderr


def _system_python_without_mypy() -> str | None:
    python = shutil.which("python3", path="/usr/bin")
    if python is None or Path(python).resolve() == Path(sys.executable).resolve():
        return None
    probe = subprocess.run([python, "-c", "import mypy"], capture_output=True, check=False)
    return python if probe.returncode != 0 else None


@pytest.mark.parametrize("sandbox", SANDBOXES)
def test_checker_not_installed_is_said_and_the_run_proves(
    fixloop_fix: Callable[..., CliResult], tmp_path: Path, sandbox: str
) -> None:
    python = _system_python_without_mypy()
    if python is None:
        pytest.skip("needs a system python3 without mypy beside the test venv")
    project = write_project(tmp_path, **{"prices.py": TYPO})
    done = fixloop_fix(
        "prices.py", "--checker", "mypy", "--python", python, "--sandbox", sandbox, cwd=project
    )
    assert done.code == 0, done.stderr
    assert "mypy: not installed" in done.stderr
    assert "mypy is not installed in the interpreter that runs your code" in done.stderr
    assert "proved by the tests or the run only" in done.stderr
    assert "cleared" not in done.stderr


def test_diagnostic_not_on_the_original_is_said(
    fixloop_fix: Callable[..., CliResult], tmp_path: Path
) -> None:
    project = write_project(tmp_path, **{"prices.py": TYPO})
    done = fixloop_fix("prices.py", "--checker", "ruff:E999:1", "--json", cwd=project)
    assert done.code == 0, done.stderr
    checker = done.json()["checker"]
    assert checker["status"] == "not shown", checker
    assert "does not report [E999] at line 1 on the original" in checker["note"]


@pytest.mark.parametrize("bad", ["pylint", "mypy:arg-type:zero", "ruff:F821:0"])
def test_bad_checker_argument_exits_2(
    fixloop_fix: Callable[..., CliResult], tmp_path: Path, bad: str
) -> None:
    project = write_project(tmp_path, **{"prices.py": TYPO})
    done = fixloop_fix("prices.py", "--checker", bad, cwd=project)
    assert done.code == 2 and "checker" in done.stderr, done.stderr


# A file named like the checker: run as `python -m mypy` from the project, it would be the
# "checker" itself and report nothing.
POSING = """import sys


def size() -> int:
    return "big"


if __name__ == "__main__":
    sys.exit(0)
"""


@pytest.mark.parametrize("sandbox", SANDBOXES)
async def test_a_project_file_cannot_pose_as_the_checker(tmp_path: Path, sandbox: str) -> None:
    (tmp_path / "mypy.py").write_text(POSING)
    opened = await open_sandbox(sandbox)
    try:
        run = await run_checker(
            opened, "mypy", tmp_path, "mypy.py", POSING, Limits(wall_seconds=90, memory_mb=1024)
        )
    finally:
        await opened.close()
    assert run.status == "ran", run
    assert [(d.code, d.line) for d in run.diagnostics] == [("return-value", 5)]
