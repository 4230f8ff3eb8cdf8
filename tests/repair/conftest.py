"""Fixtures for the repair tests: a private state dir for transcripts and a `fixloop fix` runner.

The CLI tests run the real console script in a subprocess against a real sandbox
(`FIXLOOP_REPAIR_SANDBOX`, default `auto`: bwrap where it works, else local).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SANDBOX = os.environ.get("FIXLOOP_REPAIR_SANDBOX", "auto")


@dataclass
class CliResult:
    code: int
    stdout: str
    stderr: str

    def json(self) -> dict:
        return json.loads(self.stdout)


@pytest.fixture(autouse=True)
def state_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    state = tmp_path_factory.mktemp("state")
    monkeypatch.setenv("FIXLOOP_STATE_DIR", str(state))
    return state


@pytest.fixture
def fixloop_fix(state_dir: Path) -> Callable[..., CliResult]:
    def run(*args: str, cwd: Path, timeout: float = 120) -> CliResult:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("FIXLOOP_MODEL", "OPENAI"))}
        env["FIXLOOP_STATE_DIR"] = str(state_dir)
        argv = [sys.executable, "-m", "fixloop", "fix", *args]
        if "--sandbox" not in args:
            argv += ["--sandbox", SANDBOX]
        done = subprocess.run(
            argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
        )
        return CliResult(done.returncode, done.stdout, done.stderr)

    return run


@pytest.fixture
def stats_copy(tmp_path: Path) -> Path:
    """A private copy of examples/stats."""
    target = tmp_path / "stats"
    shutil.copytree(REPO / "examples" / "stats", target)
    return target


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }
