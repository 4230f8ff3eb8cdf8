"""Fixtures for the sweep tests: a private state dir, and `fixloop sweep` as a real subprocess.

The CLI runs the installed console script's module (`python -m fixloop sweep`) against a real
sandbox (`FIXLOOP_SWEEP_SANDBOX`, default `auto`: bwrap where it works, else local).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from .projects import assemble, git_init

SANDBOX = os.environ.get("FIXLOOP_SWEEP_SANDBOX", "auto")


@dataclass
class CliResult:
    code: int
    stdout: str
    stderr: str


def sweep_env(state: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FIXLOOP_MODEL", "OPENAI"))}
    env.pop("RAY_ADDRESS", None)
    env["FIXLOOP_STATE_DIR"] = str(state)
    return env


def run_cli(*args: str, cwd: Path, state: Path, timeout: float = 600) -> CliResult:
    argv = [sys.executable, "-m", "fixloop", "sweep", *args]
    if "--sandbox" not in args:
        argv += ["--sandbox", SANDBOX]
    done = subprocess.run(
        argv, cwd=cwd, env=sweep_env(state), capture_output=True, text=True, timeout=timeout
    )
    return CliResult(done.returncode, done.stdout, done.stderr)


@pytest.fixture
def state_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    state = tmp_path_factory.mktemp("state")
    monkeypatch.setenv("FIXLOOP_STATE_DIR", str(state))
    return state


@pytest.fixture
def sweep_cli(state_dir: Path) -> Callable[..., CliResult]:
    def run(*args: str, cwd: Path, timeout: float = 600) -> CliResult:
        return run_cli(*args, cwd=cwd, state=state_dir, timeout=timeout)

    return run


@dataclass(frozen=True)
class Swept:
    """A sweep of the mixed project: the project, its output folder and what the CLI said."""

    project: Path
    out: Path
    result: CliResult

    def results(self) -> list[dict]:
        lines = (self.out / "results.jsonl").read_text().splitlines()
        return [json.loads(line) for line in lines]


# Generous: the verdicts must not depend on the machine's load (the mixed project's jobs end
# well within it: each is fixed, or its candidates run out, in well under a minute).
MIXED_BUDGET = "150"
MIXED_ARGS = ("--workers", "2", "--budget", MIXED_BUDGET)


@pytest.fixture(scope="session")
def local_sweep(tmp_path_factory: pytest.TempPathFactory) -> Swept:
    """The mixed project swept once by `--executor local` with 2 workers (shared by tests)."""
    base = tmp_path_factory.mktemp("local-sweep")
    project = assemble(base / "project")
    git_init(project)
    out = base / "out"
    result = run_cli(".", "--out", str(out), *MIXED_ARGS, cwd=project, state=base)
    return Swept(project, out, result)
