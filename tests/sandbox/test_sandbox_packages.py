"""A run's package directory (`RunSpec.packages`): pip's target, on the import path, writable.

On local and bwrap it is the caller's host directory, so what one run installs the next run
imports; on docker (the engine may be elsewhere) each run gets one of its own.
"""

from __future__ import annotations

from pathlib import Path

from fixloop.sandbox import RunSpec, Sandbox, Status

from .conftest import SMALL, tree_digest

INSTALL = (
    "import os, sys\n"
    "target = os.environ['PIP_TARGET']\n"
    "assert target in sys.path, (target, sys.path)\n"
    "os.makedirs(target, exist_ok=True)\n"
    "open(os.path.join(target, 'planted.py'), 'w').write('VALUE = 7\\n')\n"
    "import planted\n"
    "print(planted.VALUE)\n"
)
IMPORT = "import planted\nprint(planted.VALUE)\n"


def spec(project: Path, packages: Path, code: str) -> RunSpec:
    return RunSpec(
        argv=("payload.py",),
        root=project,
        limits=SMALL,
        overlay={"payload.py": code},
        packages=packages,
    )


async def test_the_package_directory_is_writable_and_importable(
    sandbox: Sandbox, project: Path, tmp_path: Path
) -> None:
    packages = tmp_path / "packages"
    packages.mkdir()
    before = tree_digest(project)
    installed = await sandbox.run(spec(project, packages, INSTALL))
    assert (installed.status, installed.stdout) == (Status.OK, "7\n"), installed
    again = await sandbox.run(spec(project, packages, IMPORT))
    if sandbox.name == "docker":
        assert again.error is not None and again.error.type == "ModuleNotFoundError", again
        assert list(packages.iterdir()) == []
    else:
        assert (again.status, again.stdout) == (Status.OK, "7\n"), again
        assert (packages / "planted.py").read_text() == "VALUE = 7\n"
    assert tree_digest(project) == before
    without = await sandbox.run(RunSpec(argv=("-c", IMPORT), root=project, limits=SMALL))
    assert without.error is not None and without.error.type == "ModuleNotFoundError"
