"""Choosing a backend: auto prefers isolation, explicit choices fail closed with a remedy,
and the docker backend works against an engine reached through DOCKER_HOST over TCP."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from fixloop.sandbox import RunSpec, SandboxUnavailable, Status, open_sandbox

from .conftest import SMALL, skip_docker_if_asked


async def test_auto_picks_bwrap_here_and_says_so(project: Path) -> None:
    sandbox = await open_sandbox("auto")
    try:
        assert sandbox.name == "bwrap"
        result = await sandbox.run(RunSpec(argv=("main.py",), root=project, limits=SMALL))
        assert result.sandbox == "bwrap" and result.protected
    finally:
        await sandbox.close()


async def test_unknown_kind_is_refused() -> None:
    with pytest.raises(SandboxUnavailable, match="unknown sandbox 'chroot'"):
        await open_sandbox("chroot")


def run_cli(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "fixloop", "run", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_missing_bwrap_fails_closed_with_the_remedy(project: Path, tmp_path: Path) -> None:
    empty_bin = tmp_path / "bin"
    empty_bin.mkdir()
    env = {**os.environ, "PATH": str(empty_bin)}
    done = run_cli(["main.py", "--sandbox", "bwrap"], project, env)
    assert done.returncode == 2
    assert (
        "bubblewrap is not installed" in done.stderr and "apt-get install bubblewrap" in done.stderr
    )
    assert "hi" not in done.stdout  # nothing ran, not even in a weaker sandbox


def test_auto_without_isolation_lands_on_local_prominently(project: Path, tmp_path: Path) -> None:
    empty_bin = tmp_path / "bin"
    empty_bin.mkdir()
    env = {**os.environ, "PATH": str(empty_bin), "DOCKER_HOST": "tcp://127.0.0.1:9"}
    done = run_cli(["main.py", "--json"], project, env)
    assert done.returncode == 1
    import json

    data = json.loads(done.stdout)
    assert data["sandbox"] == "local" and data["protected"] is False
    assert "auto chose the local sandbox" in data["note"] and "UNPROTECTED" in data["note"]


def test_docker_engine_down_fails_closed(project: Path) -> None:
    env = {**os.environ, "DOCKER_HOST": "tcp://127.0.0.1:9"}
    done = run_cli(["main.py", "--sandbox", "docker", "--image", "anything"], project, env)
    assert done.returncode == 2
    assert "cannot reach the Docker engine at tcp://127.0.0.1:9" in done.stderr


@pytest.mark.docker
def test_docker_missing_image_fails_closed(project: Path) -> None:
    skip_docker_if_asked("docker")
    done = run_cli(
        ["main.py", "--sandbox", "docker", "--image", "fixloop-no-such-image:1"],
        project,
        dict(os.environ),
    )
    assert done.returncode == 2
    assert "image 'fixloop-no-such-image:1' is not on the engine" in done.stderr


@pytest.mark.docker
async def test_docker_through_docker_host_tcp(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    skip_docker_if_asked("docker")
    endpoint = os.environ.get("FIXLOOP_TEST_DOCKER_TCP", "tcp://127.0.0.1:2375")
    monkeypatch.setenv("DOCKER_HOST", endpoint)
    sandbox = await open_sandbox("docker", image=os.environ.get("FIXLOOP_TEST_IMAGE"))
    try:
        assert endpoint in str(sandbox.client.api.base_url).replace("http://", "tcp://")  # type: ignore[attr-defined]
        result = await sandbox.run(RunSpec(argv=("main.py",), root=project, limits=SMALL))
        assert result.status is Status.ERROR and result.sandbox == "docker"
        assert result.error is not None and (result.error.file, result.error.line) == (
            "helper.py",
            2,
        )
    finally:
        await sandbox.close()


@pytest.mark.docker
async def test_docker_leftovers_are_reaped_and_close_removes_container(project: Path) -> None:
    skip_docker_if_asked("docker")
    import docker

    client = docker.from_env()
    image = os.environ.get("FIXLOOP_TEST_IMAGE", "python:3.12-slim")
    dead_pid = "999999999"
    stale = client.containers.run(
        image,
        ["sleep", "infinity"],
        detach=True,
        network_mode="none",
        labels={
            "fixloop.sandbox": "1",
            "fixloop.host": os.uname().nodename,
            "fixloop.pid": dead_pid,
        },
    )
    sandbox = await open_sandbox("docker", image=os.environ.get("FIXLOOP_TEST_IMAGE"))
    try:
        ids = {c.id for c in client.containers.list(all=True, filters={"label": "fixloop.sandbox"})}
        assert stale.id not in ids
    finally:
        await sandbox.close()
    mine = [
        c
        for c in client.containers.list(all=True, filters={"label": "fixloop.sandbox"})
        if c.labels.get("fixloop.pid") == str(os.getpid())
    ]
    assert mine == []


def test_user_namespaces_forbidden_fails_closed(project: Path) -> None:
    # A child user namespace whose own namespace limit is 0: bubblewrap cannot create one.
    script = (
        "echo 0 > /proc/sys/user/max_user_namespaces && "
        f"exec {sys.executable} -m fixloop run main.py --sandbox bwrap"
    )
    done = subprocess.run(
        [
            "unshare",
            "--user",
            "--map-root-user",
            "--mount",
            "--pid",
            "--fork",
            "--mount-proc",
            "sh",
            "-c",
            script,
        ],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2, done.stderr
    assert "bubblewrap cannot create namespaces here" in done.stderr
    assert "max_user_namespaces" in done.stderr and "choose --sandbox docker" in done.stderr
    assert "hi" not in done.stdout
