"""Bad command-line input (issue 11, section 7): one row per probe, through the real console script.

Every row must exit 2 with a clear message and no traceback, and must not touch the project.
Out-of-range numbers must be refused, never both refused and "using the default".
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import snapshot

PROGRAM = "def half(number):\n    return numbr / 2\n\n\nprint(half(4))\n"
NUMBERS = ["0", "-1", "nan", "inf", "-inf", "1e308", "86401"]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "prog.py").write_text(PROGRAM)
    (tmp_path / "nul.py").write_bytes(b"x = 1\x00\nprint(x)\n")
    # Python's parser gives up on these with MemoryError and RecursionError respectively.
    (tmp_path / "deep.py").write_text("x = " + "-" * 100_000 + "1\n")
    (tmp_path / "long.py").write_text("x = 1" + "+1" * 1_000_000 + "\n")
    return tmp_path


def fixloop(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FIXLOOP_MODEL", "OPENAI"))}
    return subprocess.run(
        [sys.executable, "-m", "fixloop", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def clear_lines(stderr: str) -> list[str]:
    """The lines that say something about the input (not the unprotected-sandbox warning)."""
    return [line for line in stderr.splitlines() if line and "warning:" not in line]


def test_nul_bytes_fix_and_run_agree(project: Path) -> None:
    before = snapshot(project)
    fix = fixloop("fix", "nul.py", "--write", cwd=project)
    run = fixloop("run", "nul.py", cwd=project)
    assert (fix.returncode, run.returncode) == (2, 2), (fix.stderr, run.stderr)
    message = "nul.py looks binary (contains NUL bytes), not Python source"
    assert fix.stderr == f"fixloop fix: {message}\n"
    assert run.stderr == f"fixloop run: {message}\n"
    assert snapshot(project) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("fix", "prog.py", "--lines", ""), "--lines must look like A-B"),
        (("fix", "prog.py", "--cmd", ""), "--cmd must not be empty"),
        (("fix", "prog.py", "--cmd", "   "), "--cmd must not be empty"),
        (("tests", "prog.py", "--lines", ""), "--lines must look like A-B"),
        (("tests", "nul.py"), "nul.py looks binary (contains NUL bytes)"),
    ],
)
def test_empty_options_are_refused(project: Path, args: tuple[str, ...], message: str) -> None:
    before = snapshot(project)
    done = fixloop(*args, "--write", cwd=project)
    assert done.returncode == 2, done.stderr
    assert len(done.stderr.splitlines()) == 1 and message in done.stderr
    assert "Traceback" not in done.stderr
    assert snapshot(project) == before


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("deep.py", "deep.py is too large or nested too deeply for Python's parser"),
        ("long.py", "long.py is nested too deeply for Python's parser"),
    ],
)
def test_files_the_parser_cannot_take_exit_2(project: Path, name: str, message: str) -> None:
    before = snapshot(project)
    done = fixloop("fix", name, "--write", cwd=project)
    assert done.returncode == 2, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    lines = clear_lines(done.stderr)
    assert len(lines) == 1 and lines[0].startswith(f"fixloop fix: {message}"), done.stderr
    assert snapshot(project) == before


@pytest.mark.parametrize("value", NUMBERS)
@pytest.mark.parametrize(
    "command",
    [
        ("fix", "prog.py", "--budget"),
        ("fix", "prog.py", "--timeout"),
        ("run", "prog.py", "--timeout"),
        ("task", "write hello", "--budget"),
        ("task", "write hello", "--timeout"),
        ("tests", "prog.py", "--budget"),
    ],
    ids=lambda words: "-".join(
        w for w in words if w.startswith("--") or w in ("fix", "run", "task", "tests")
    ),
)
def test_out_of_range_seconds_exit_2_without_a_default(
    project: Path, command: tuple[str, ...], value: str
) -> None:
    done = fixloop(*command, value, cwd=project)
    assert done.returncode == 2, done.stderr
    assert f"argument {command[-1]}:" in done.stderr
    assert "default" not in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("value", ["0", "-5", "15", "nan", "1e308", "99999999999"])
def test_out_of_range_memory_exits_2(project: Path, value: str) -> None:
    done = fixloop("run", "prog.py", "--memory", value, cwd=project)
    assert done.returncode == 2, done.stderr
    assert "argument --memory:" in done.stderr and "default" not in done.stderr


def test_a_sane_budget_still_works(project: Path) -> None:
    done = fixloop("fix", "prog.py", "--budget", "30", "--timeout", "5", cwd=project)
    assert done.returncode == 0, done.stderr
    assert "+    return number / 2" in done.stdout
