"""A real-world-shaped project for the sweep tests, assembled from several corpus projects.

`assemble` copies the packages, tests and test data of some projects of `tests/corpus-projects`
side by side into one root (`fixloop.bench.sweep.assemble_project`: their package names, test
file names and data files do not clash), under one pytest configuration that declares every
project's markers. `git_init` makes it a git repository, for `git apply`.
"""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path

from fixloop.bench.sweep import assemble_project

# Three faults, four modules to fix: the shapes fault fails one test through `Polygon` and one
# through the floor plan that sums polygon areas, so the floor plan's job has no fix of its own
# and its test passes once the polygon's fix is in.
MIXED = ("shipping_rates", "phonebook_normalize", "shapes_area")


def assemble(destination: Path, names: Sequence[str] = MIXED) -> Path:
    return assemble_project(destination, names)


def git_init(root: Path) -> None:
    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)

    git("init", "-q")
    git("-c", "user.name=t", "-c", "user.email=t@t", "add", "-A")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "project")
