"""Fixtures for the sandbox tests: a throw-away project, opened backends, workspace hashing.

Backends are real: bubblewrap from Debian's packages and, for docker, a real engine with the
image built by scripts/install-docker.sh (FIXLOOP_TEST_IMAGE). Docker tests skip only when
FIXLOOP_SKIP_DOCKER=1 says so explicitly; a missing engine otherwise fails the tests.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from fixloop.sandbox import Limits, RunResult, RunSpec, Sandbox, open_sandbox
from proctree import Proc, marked_below, sandbox_roots

SMALL = Limits(
    wall_seconds=2.0,
    memory_mb=256,
    processes=64,
    output_bytes=64 * 1024,
    file_size_mb=8,
    scratch_mb=32,
    kill_grace_seconds=0.3,
)
BACKENDS = ["local", "bwrap", "docker"]
ISOLATING = ["bwrap", "docker"]


def tree_digest(root: Path) -> str:
    """Hash of every path, mode and content under root: 'byte-for-byte unchanged' check."""
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        info = path.lstat()
        digest.update(f"{path.relative_to(root)}|{info.st_mode}|".encode())
        if path.is_file() and not path.is_symlink():
            digest.update(path.read_bytes())
    return digest.hexdigest()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    root.mkdir()
    (root / "helper.py").write_text("def boom():\n    return 1 / 0\n")
    (root / "main.py").write_text("import helper\nprint('hi')\nhelper.boom()\n")
    (root / ".git").mkdir()
    (root / ".git" / "config").write_text("[core]\n")
    return root


def skip_docker_if_asked(kind: str) -> None:
    if kind == "docker" and os.environ.get("FIXLOOP_SKIP_DOCKER") == "1":
        pytest.skip("FIXLOOP_SKIP_DOCKER=1")


async def _opened(kind: str) -> AsyncIterator[Sandbox]:
    skip_docker_if_asked(kind)
    opened = await open_sandbox(kind, image=os.environ.get("FIXLOOP_TEST_IMAGE"))
    try:
        yield opened
    finally:
        await opened.close()


@pytest.fixture
async def docker_sandbox() -> AsyncIterator[Sandbox]:
    """The docker backend on its own (its internals are looked at by some tests)."""
    async for opened in _opened("docker"):
        yield opened


@pytest.fixture(params=BACKENDS)
async def sandbox(request: pytest.FixtureRequest) -> AsyncIterator[Sandbox]:
    """Every backend."""
    async for opened in _opened(request.param):
        yield opened


@pytest.fixture(params=ISOLATING)
async def isolated(request: pytest.FixtureRequest) -> AsyncIterator[Sandbox]:
    """The backends that claim isolation (local is documented as unprotected)."""
    async for opened in _opened(request.param):
        yield opened


def run_leftovers(sandbox: Sandbox, variable: str, marker: str) -> list[Proc]:
    """Processes of one run (they carry `variable=marker`) that are still alive."""
    return marked_below(sandbox_roots(sandbox), variable, marker)


async def run_code(
    sandbox: Sandbox,
    root: Path,
    code: str,
    *,
    limits: Limits = SMALL,
    name: str = "payload.py",
    **kwargs: object,
) -> RunResult:
    spec = RunSpec(argv=(name,), root=root, limits=limits, overlay={name: code}, **kwargs)  # type: ignore[arg-type]
    return await sandbox.run(spec)


def uid_alive(container: object, uid: int) -> bool:
    """Has `uid` a process in a docker sandbox's container (blocking)?"""
    code, _ = container.exec_run(  # type: ignore[attr-defined]
        [
            "sh",
            "-c",
            f"for p in /proc/[0-9]*; do [ $(stat -c %u $p) = {uid} ] && exit 0; done; exit 1",
        ]
    )
    return code == 0
