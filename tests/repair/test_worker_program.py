"""The in-sandbox worker as shipped: a self-contained program on the standard library, whose
answers have the protocol's typed shapes, and the fresh pytest proof read through pytest's hooks."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from fixloop.oracle_runs import run_pytest_fresh
from fixloop.sandbox import open_sandbox
from fixloop.sandbox.base import Limits
from fixloop.sandbox_worker import protocol
from fixloop.worker_program import MODULES, WORKER_PACKAGE, worker_program

from .conftest import REPO, SANDBOX

WORKER_DIR = REPO / "server" / "fixloop" / "sandbox_worker"
# pytest's own modules live in two packages: `pytest` and `_pytest` (the strict test loader
# reuses pytest's assertion rewriting from `_pytest.assertion.rewrite`).
ALLOWED_IMPORTS = set(sys.stdlib_module_names) | {"pytest", "_pytest", "__future__"}


def keys_of(typed: Any) -> set[str]:
    return set(typed.__required_keys__) | set(typed.__optional_keys__)


def test_every_worker_module_is_shipped_and_stays_on_the_standard_library() -> None:
    on_disk = {p.stem for p in WORKER_DIR.glob("*.py")} - {"__init__"}
    assert on_disk == set(MODULES), "a worker module is missing from the shipped program"
    for name in MODULES:
        source = (WORKER_DIR / f"{name}.py").read_text(encoding="utf-8")
        # The sandbox's interpreter may be as old as 3.10.
        tree = ast.parse(source, feature_version=(3, 10))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                tops = {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and not node.level:
                tops = {(node.module or "").split(".")[0]}
            else:
                continue
            assert tops <= ALLOWED_IMPORTS, f"{WORKER_PACKAGE}.{name} imports {tops}"


def run_program(root: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    # -I -S: no site-packages at all, so fixloop cannot be imported: the program must carry
    # everything it needs.
    return subprocess.run(
        [sys.executable, "-I", "-S", "-c", worker_program(), *args],
        input=stdin,
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_program_runs_without_fixloop_and_answers_in_protocol_shapes(tmp_path: Path) -> None:
    (tmp_path / "prog.py").write_text("def ratio(a, b):\n    return a / b\n\nprint(ratio(1, 0))\n")
    request: protocol.RunRequest = {
        "kind": "script",
        "target": "prog.py",
        "tests": [],
        "overlay": {},
        "timeout": 20.0,
    }
    done = run_program(tmp_path, "--once", stdin=json.dumps(request))
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    assert set(answer) == keys_of(protocol.RunAnswer)
    [record] = answer["results"]
    assert set(record) <= keys_of(protocol.ResultRecord)
    assert record["outcome"] == "failed" and record["error"]["type"] == "ZeroDivisionError"
    assert set(record["error"]) == keys_of(protocol.ErrorRecord)
    # The user's frames only: none of the worker's own modules.
    assert [frame[:2] for frame in record["error"]["frames"]] == [["prog.py", 4], ["prog.py", 2]]


def test_the_small_runner_serves_a_candidate_through_the_import_overlay(tmp_path: Path) -> None:
    (tmp_path / "prog.py").write_text("def double(x):\n    return x + x + 1\n")
    (tmp_path / "test_prog.py").write_text(
        "from prog import double\n\n\ndef test_two():\n    assert double(1) == 2\n\n\n"
        "def test_zero():\n    assert double(0) == 0\n"
    )
    request: protocol.RunRequest = {
        "kind": "tests",
        "target": "prog.py",
        "tests": ["test_prog.py"],
        "overlay": {"prog.py": "def double(x):\n    return 2 * x\n"},
        "timeout": 20.0,
        "coverage": True,
        "runner": "light",
    }
    done = run_program(tmp_path, "--once", stdin=json.dumps(request))
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    assert answer["runner"] == "light"
    outcomes = {r["id"]: r["outcome"] for r in answer["results"]}
    assert outcomes == {"test_prog.py::test_two": "passed", "test_prog.py::test_zero": "passed"}
    assert all(r["lines"] == [1, 2] for r in answer["results"])
    # The file on disk is untouched: the candidate only ever lived in the import hook.
    assert "x + x + 1" in (tmp_path / "prog.py").read_text()


async def test_fresh_pytest_outcomes_come_from_pytest_hooks_not_its_text(tmp_path: Path) -> None:
    # A failing test that prints a fake summary: a regex over the report would count 99 passed.
    (tmp_path / "prog.py").write_text("def inc(x):\n    return x\n")
    (tmp_path / "test_prog.py").write_text(
        "import pytest\nfrom prog import inc\n\n\ndef test_inc():\n"
        "    print('99 passed, 0 failed')\n    assert inc(1) == 2\n\n\n"
        "@pytest.mark.parametrize('n', [0, 1])\ndef test_type(n):\n    assert isinstance(inc(n), int)\n"
    )
    sandbox = await open_sandbox(SANDBOX)
    try:
        limits = Limits(wall_seconds=30)
        run = await run_pytest_fresh(sandbox, tmp_path, ("test_prog.py",), {}, limits)
        fixed = await run_pytest_fresh(
            sandbox,
            tmp_path,
            ("test_prog.py",),
            {"prog.py": "def inc(x):\n    return x + 1\n"},
            limits,
        )
    finally:
        await sandbox.close()
    assert "99 passed" in run.report  # the text is there for people, and ignored
    assert run.exit_code == 1
    assert {o.id: o.outcome for o in run.outcomes} == {
        "test_prog.py::test_inc": "failed",
        "test_prog.py::test_type[0]": "passed",
        "test_prog.py::test_type[1]": "passed",
    }
    assert fixed.exit_code == 0 and {o.outcome for o in fixed.outcomes} == {"passed"}
    assert len(fixed.outcomes) == 3
