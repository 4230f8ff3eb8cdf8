"""`fixloop run` end to end through the real console script: output, JSON, exit codes, bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import tree_digest

FIXLOOP = [sys.executable, "-m", "fixloop"]


def fixloop_run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*FIXLOOP, "run", *args], cwd=cwd, capture_output=True, text=True, timeout=60
    )


def test_json_object_for_a_failing_program(project: Path) -> None:
    before = tree_digest(project)
    done = fixloop_run("main.py", "--sandbox", "bwrap", "--json", "--timeout", "5", cwd=project)
    assert done.returncode == 1, done.stderr
    data = json.loads(done.stdout)
    assert set(data) >= {
        "status",
        "exit_code",
        "stdout",
        "stderr",
        "truncated",
        "duration_ms",
        "sandbox",
        "error",
    }
    assert data["status"] == "error" and data["sandbox"] == "bwrap"
    assert data["error"]["type"] == "ZeroDivisionError"
    assert data["error"]["file"] == "helper.py" and data["error"]["line"] == 2
    assert data["error"]["frames"][0] == {"file": "main.py", "line": 3, "function": "<module>"}
    assert tree_digest(project) == before


def test_human_output_and_summary(project: Path) -> None:
    (project / "ok.py").write_text(
        "import sys\nprint('out', sys.argv[1:])\nprint('\\x1b[31mred', file=sys.stderr)\n"
    )
    done = fixloop_run("ok.py", "--sandbox", "local", "--", "--flag", "x", cwd=project)
    assert done.returncode == 0
    assert done.stdout == "out ['--flag', 'x']\n"
    assert "\x1b" not in done.stderr and "\\x1b[31mred" in done.stderr
    assert "WARNING: local sandbox: UNPROTECTED" in done.stderr
    assert (
        done.stderr.rstrip()
        .splitlines()[-1]
        .startswith("fixloop: ok | sandbox local (UNPROTECTED)")
    )


def test_root_option_makes_siblings_importable(project: Path, tmp_path: Path) -> None:
    done = fixloop_run(
        str(project / "main.py"), "--root", str(project), "--sandbox", "bwrap", cwd=tmp_path
    )
    assert done.returncode == 1
    assert "ZeroDivisionError at helper.py:2" in done.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.py"], "no such file"),
        (["."], "is a directory"),
        (["notes.txt"], "not a Python file"),
        (["binary.py"], "looks binary"),
        (["main.py", "--sandbox", "chroot"], "invalid choice"),
        (["main.py", "--timeout", "0"], "--timeout"),
        (["main.py", "--timeout", "soon"], "invalid float"),
        (["main.py", "--memory", "-5"], "--memory"),
        (["main.py", "--python", "/nonexistent/python"], "not an executable"),
        (["main.py", "--root", "/nonexistent-dir"], "not a directory"),
    ],
)
def test_bad_input_exits_2_with_a_clear_message(
    project: Path, args: list[str], message: str
) -> None:
    (project / "notes.txt").write_text("hello")
    (project / "binary.py").write_bytes(b"\x7fELF\x00\x01\x02")
    before = tree_digest(project)
    done = fixloop_run(*args, cwd=project)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert message in done.stderr
    assert tree_digest(project) == before
