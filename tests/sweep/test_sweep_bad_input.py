"""Bad input to `fixloop sweep`: each case gives one clear message and exit status 2, and writes
nothing. No tests found, a suite that does not collect, a test command that is not pytest, an
unreachable Ray address, Ray not installed (a real interpreter without it), an `--out` inside a
test folder, a bad --format; and a passing suite is "nothing to fix" (3)."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fixloop.sweep.raycluster import free_port

from .conftest import sweep_env

REPO = Path(__file__).resolve().parents[2]


def _project(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


GOOD = {
    "pkg/__init__.py": "",
    "pkg/mod.py": "def double(x):\n    return x + x\n",
    "tests/test_mod.py": "from pkg.mod import double\n\n\ndef test_double():\n    assert double(2) == 4\n",
}


def _says(result, *words: str) -> None:
    assert result.code == 2, (result.stdout, result.stderr)
    lines = [line for line in result.stderr.splitlines() if line.startswith("fixloop sweep:")]
    assert lines and all(word in lines[-1] for word in words), result.stderr


def test_no_tests_found(sweep_cli, tmp_path: Path) -> None:
    project = _project(tmp_path / "p", {"pkg/mod.py": "X = 1\n"})
    result = sweep_cli(".", "--out", str(tmp_path / "out"), cwd=project)
    _says(result, "no tests found")
    assert not (tmp_path / "out").exists()


def test_a_suite_that_does_not_collect(sweep_cli, tmp_path: Path) -> None:
    broken = {**GOOD, "tests/test_broken.py": "def test_x(:\n    pass\n"}
    project = _project(tmp_path / "p", broken)
    result = sweep_cli(".", "--out", str(tmp_path / "out"), cwd=project)
    _says(result, "does not collect", "tests/test_broken.py")


def test_a_test_command_that_is_not_pytest(sweep_cli, tmp_path: Path) -> None:
    project = _project(tmp_path / "p", GOOD)
    result = sweep_cli(
        ".", "--test-command", "make test", "--out", str(tmp_path / "o"), cwd=project
    )
    _says(result, "not a pytest run")


def test_an_out_folder_inside_a_test_folder(sweep_cli, tmp_path: Path) -> None:
    project = _project(tmp_path / "p", GOOD)
    result = sweep_cli(".", "--out", "tests/reports", cwd=project)
    _says(result, "inside the test folder tests")
    assert not (project / "tests/reports").exists()
    (project / "checks").mkdir()
    (project / "checks/test_more.py").write_text("def test_y():\n    pass\n")
    _says(sweep_cli(".", "--out", "checks", cwd=project), "inside the test folder checks")


def test_an_unreachable_ray_address(sweep_cli, tmp_path: Path) -> None:
    pytest.importorskip("ray", reason="the ray extra is installed by scripts/setup.sh")
    project = _project(tmp_path / "p", GOOD)
    address = f"127.0.0.2:{free_port()}"  # nothing listens there
    result = sweep_cli(
        ".",
        "--executor",
        "ray",
        "--ray-address",
        address,
        "--out",
        str(tmp_path / "o"),
        cwd=project,
        timeout=120,
    )
    _says(result, "no Ray cluster answers at", address)


def _declared_dependencies_only(into: Path) -> Path:
    """A directory holding (as links) the packages fixloop's CLI imports, and nothing else."""
    into.mkdir()
    for name in ("cattrs", "attr", "attrs", "typing_extensions"):
        spec = importlib.util.find_spec(name)
        assert spec is not None and spec.origin, name
        source = Path(spec.origin)
        source = source.parent if source.name == "__init__.py" else source
        (into / source.name).symlink_to(source)
    return into


def test_ray_not_installed(tmp_path: Path) -> None:
    # A real interpreter that cannot import Ray: site-packages off (-S), fixloop from source and
    # only the packages it declares for settings (cattrs and what cattrs needs).
    project = _project(tmp_path / "p", GOOD)
    env = sweep_env(tmp_path)
    libs = _declared_dependencies_only(tmp_path / "libs")
    env["PYTHONPATH"] = os.pathsep.join([str(REPO / "server"), str(libs)])
    done = subprocess.run(
        [sys.executable, "-S", "-m", "fixloop", "sweep", ".", "--executor", "ray"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    check = subprocess.run(
        [sys.executable, "-S", "-c", "import ray"], env=env, capture_output=True, timeout=60
    )
    assert check.returncode != 0  # the premise: this interpreter has no Ray
    assert done.returncode == 2, done.stderr
    assert "needs Ray, which is not installed" in done.stderr
    assert "pip install 'fixloop[ray]'" in done.stderr


def test_a_bad_format_list(sweep_cli, tmp_path: Path) -> None:
    project = _project(tmp_path / "p", GOOD)
    _says(sweep_cli(".", "--format", "md,pdf", cwd=project), "--format", "'md,pdf'")


def test_a_passing_suite_is_nothing_to_fix(sweep_cli, tmp_path: Path) -> None:
    project = _project(tmp_path / "p", GOOD)
    result = sweep_cli(".", "--out", str(tmp_path / "out"), cwd=project)
    assert result.code == 3, result.stderr
    assert "nothing to fix: 1/1 tests pass" in result.stderr
    assert sorted(os.listdir(project)) == ["pkg", "tests"]
    assert not (tmp_path / "out").exists()
