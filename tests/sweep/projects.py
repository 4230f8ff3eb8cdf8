"""A real-world-shaped project for the sweep tests, assembled from several corpus projects.

`assemble` copies the packages, tests and test data of some projects of `tests/corpus-projects`
side by side into one root (their package names, test file names and data files do not clash),
under one pytest configuration that declares every project's markers. The result is a project
with several faults in several packages, each fault with its own failing tests, which is what a
sweep meets after a bad merge. `git_init` makes it a git repository, for `git apply`.
"""

from __future__ import annotations

import configparser
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

import tomllib

CORPUS = Path(__file__).resolve().parents[1] / "corpus-projects"
# Flat packages, distinct test file names and data files. Three faults, four modules to fix: the
# shapes fault fails one test through `Polygon` and one through the floor plan that uses it.
MIXED = ("shipping_rates", "phonebook_normalize", "shapes_area")


def _markers(project: Path) -> list[str]:
    markers: list[str] = []
    pyproject = project / "pyproject.toml"
    if pyproject.is_file():
        options = tomllib.loads(pyproject.read_text()).get("tool", {}).get("pytest", {})
        markers += options.get("ini_options", {}).get("markers", [])
    for name, section in (("setup.cfg", "tool:pytest"), ("pytest.ini", "pytest")):
        path = project / name
        if path.is_file():
            parser = configparser.ConfigParser()
            parser.read(path)
            if parser.has_option(section, "markers"):
                markers += [
                    m.strip() for m in parser.get(section, "markers").splitlines() if m.strip()
                ]
    return markers


def assemble(destination: Path, names: Sequence[str] = MIXED) -> Path:
    """Copy the named corpus projects into `destination` as one project; return its root."""
    destination.mkdir(parents=True, exist_ok=True)
    markers: list[str] = []
    for name in names:
        project = CORPUS / name / "project"
        markers += _markers(project)
        for item in sorted(project.iterdir()):
            if item.name in ("pyproject.toml", "setup.cfg", "pytest.ini"):
                continue
            for source in [item] if item.is_file() else sorted(item.rglob("*")):
                if not source.is_file():
                    continue
                target = destination / source.relative_to(project)
                if target.exists():
                    raise FileExistsError(f"{name} and an earlier project both have {target}")
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target)
    lines = ["[pytest]", "testpaths = tests", "addopts = -ra --strict-markers", "markers ="]
    lines += [f"    {marker}" for marker in markers]
    (destination / "pytest.ini").write_text("\n".join(lines) + "\n")
    return destination


def git_init(root: Path) -> None:
    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)

    git("init", "-q")
    git("-c", "user.name=t", "-c", "user.email=t@t", "add", "-A")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "project")
