"""What "fixed" means: the oracle (a script run, pytest tests, or a command), as a plain value.

An `Oracle` names the check the loop runs on every version of the target: run the file as a
script (it must exit without an uncaught exception), run pytest tests (they must pass), or run a
command (it must exit 0). `parse_command` turns a user's command line into the oracle's argv (shell
syntax only when allowed), `command_spec` into a sandbox run, and `discover_tests_for` finds the
pytest files of a project that import a module. Runs live elsewhere: fresh runs in
`fixloop.oracle_runs`, warm runs in `fixloop.repair.pool`, and what they saw in
`fixloop.observation`. `pristine_files` names the files no run may change: the tests, the
conftest files above them and pytest's configuration.
"""

from __future__ import annotations

import ast
import functools
import os
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from fixloop import pyast
from fixloop.sandbox.base import Limits, RunSpec

OracleKind = Literal["script", "tests", "command"]
SKIP_DIRS = {".git", ".venv", "venv", "node_modules", "__pycache__", ".tox", "build", "dist"}
# pytest reads its configuration from these, at the project's root.
PYTEST_CONFIG_FILES = ("pytest.ini", ".pytest.ini", "pyproject.toml", "tox.ini", "setup.cfg")


class OracleError(Exception):
    """The oracle itself is unusable (tests missing or not collectable, command not found)."""


@dataclass(frozen=True)
class Oracle:
    kind: OracleKind
    target: str  # the file under repair, relative to root (posix)
    tests: tuple[str, ...] = ()
    command: tuple[str, ...] = ()
    shell: bool = False
    args: tuple[str, ...] = ()

    def describe(self) -> str:
        if self.kind == "tests":
            return "pytest " + " ".join(self.tests)
        if self.kind == "command":
            return " ".join(self.command) if not self.shell else self.command[-1]
        return "python " + " ".join((self.target, *self.args))


def command_spec(
    oracle: Oracle,
    root: Path,
    overlay: Mapping[str, str],
    limits: Limits,
    hash_seed: str | None = None,
) -> RunSpec:
    env = {"PYTHONDONTWRITEBYTECODE": "1"}
    if hash_seed is not None:
        env["PYTHONHASHSEED"] = hash_seed  # see `oracle_runs.CHECK_HASH_SEED`
    return RunSpec(
        argv=oracle.command,
        root=root,
        limits=limits,
        use_python=False,
        overlay=dict(overlay),
        env=env,
        pristine=pristine_files(root, oracle.tests),
    )


def pristine_files(root: Path, tests: Sequence[str]) -> tuple[str, ...]:
    """The files (relative, posix) a run must not change: the test files of `tests`, every
    conftest.py from their folders up to `root`, and pytest's configuration files at `root`."""
    return _pristine_files(str(Path(root).resolve()), tuple(tests))


@functools.lru_cache(maxsize=32)
def _pristine_files(root: str, tests: tuple[str, ...]) -> tuple[str, ...]:
    base = Path(root)
    found = [name for name in (*PYTEST_CONFIG_FILES, "conftest.py") if (base / name).is_file()]
    for test in tests:
        relative = Path(test.split("::")[0])
        if (base / relative).is_file():
            found.append(relative.as_posix())
        for folder in relative.parents:
            if (base / folder / "conftest.py").is_file():
                found.append((folder / "conftest.py").as_posix())
    return tuple(dict.fromkeys(found))


def parse_command(command: str, allow_shell: bool) -> tuple[tuple[str, ...], bool]:
    """Split a user command; shell syntax needs allow_shell (then it runs under `sh -c`)."""
    if any(ch in command for ch in "|&;<>$`*?(){}\n"):
        if not allow_shell:
            raise OracleError(
                f"the command {command!r} uses shell syntax; pass --allow-shell to run it with sh -c"
            )
        return ("sh", "-c", command), True
    try:
        argv = tuple(shlex.split(command))
    except ValueError as exc:
        raise OracleError(f"cannot parse the command {command!r}: {exc}") from exc
    if not argv:
        raise OracleError("the command is empty")
    return argv, False


def discover_tests_for(path: str | Path, root: str | Path) -> list[str]:
    """Pytest files under `root` (relative, posix) that import the module defined by `path`."""
    root_path = Path(root).resolve()
    target = Path(path)
    if not target.is_absolute():
        target = root_path / target
    module = target.stem
    target = target.resolve()
    found: list[str] = []
    for current, dirnames, filenames in os.walk(root_path):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not d.startswith("."))
        for name in sorted(filenames):
            if not (name.startswith("test_") or name.endswith("_test.py")) or not name.endswith(
                ".py"
            ):
                continue
            file = Path(current) / name
            if file.resolve() == target:
                continue
            if _imports_module(file, module):
                found.append(file.relative_to(root_path).as_posix())
    return found


def _imports_module(file: Path, module: str) -> bool:
    try:
        tree = pyast.parse(file.read_text(encoding="utf-8", errors="replace"))
    except (SyntaxError, ValueError, OSError):
        return False
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            if any(alias.name.split(".")[-1] == module for alias in node.names):
                return True
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module.split(".")[-1] == module or any(a.name == module for a in node.names):
                return True
    return False
