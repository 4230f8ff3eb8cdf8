"""The Docker engine side of the docker backend: the SDK client, the locked-down container.

`client_for()` keeps one SDK client per engine address (DOCKER_HOST included), `start_container`
starts one container for a sandbox (network none unless asked, memory and pids limits, every
capability dropped, no-new-privileges, read-only root with sized tmpfs at /tmp and /workspace,
an init process, capped logs, fixloop labels), `reap_leftovers` removes the containers of
servers that died, and `exec_with_input` runs one command with bytes on its stdin (the project
copy arrives that way, as a tar, so nothing relies on a shared file system). When the engine runs
on this host and we are root, `host_procs` finds the container's processes from here, so a run
is killed with plain signals (`kill_uid_on_host`). Every failure to reach the engine or start the
image becomes a `SandboxUnavailable` that says what to do.
"""

from __future__ import annotations

import os
import signal
import socket
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from fixloop.sandbox.base import Limits, SandboxUnavailable
from fixloop.sandbox.dockerrun import CONTROL_PIDS

LABEL = "fixloop.sandbox"
WORKSPACE = "/workspace"


def docker_sdk() -> Any:
    try:
        import docker
    except ImportError as exc:  # the optional extra is missing
        raise SandboxUnavailable(
            "docker sandbox unavailable: the docker Python package is not installed "
            "(pip install 'fixloop[docker]')"
        ) from exc
    return docker


def engine_name() -> str:
    return os.environ.get("DOCKER_HOST") or "unix:///var/run/docker.sock"


def unreachable(exc: BaseException) -> SandboxUnavailable:
    return SandboxUnavailable(
        f"docker sandbox unavailable: cannot reach the Docker engine at {engine_name()} "
        f"({type(exc).__name__}: {exc}); start it (dockerd, or `systemctl start docker`) or "
        "point DOCKER_HOST at a running engine"
    )


_CLIENTS: dict[str, Any] = {}
_CLIENTS_LOCK = threading.Lock()


def client_for(docker: Any) -> Any:
    """One SDK client per engine address for the process: creating one costs a round trip
    (API version negotiation), and the HTTP connections it pools are worth keeping."""
    with _CLIENTS_LOCK:
        key = engine_name()
        if key not in _CLIENTS:
            _CLIENTS[key] = docker.from_env(timeout=60)
        return _CLIENTS[key]


def start_container(client: Any, image: str, limits: Limits, *, network: bool) -> Any:
    """A started, locked-down container for one sandbox (blocking)."""
    docker = docker_sdk()
    try:
        # The low-level calls skip the inspections the high-level `run` adds.
        host_config = client.api.create_host_config(
            init=True,
            network_mode="bridge" if network else "none",
            mem_limit=f"{limits.memory_mb}m",
            memswap_limit=f"{limits.memory_mb}m",
            pids_limit=limits.processes + CONTROL_PIDS,
            cap_drop=["ALL"],
            security_opt=["no-new-privileges"],
            read_only=True,
            tmpfs={
                "/tmp": f"rw,nosuid,nodev,size={limits.scratch_mb}m,mode=1777",
                WORKSPACE: "rw,nosuid,nodev,size=512m,mode=1777",
            },
            log_config=docker.types.LogConfig(
                type="json-file", config={"max-size": "1m", "max-file": "1"}
            ),
        )
        created = client.api.create_container(
            image,
            command=["sleep", "infinity"],
            user="65534:65534",
            labels={
                LABEL: "1",
                "fixloop.host": socket.gethostname(),
                "fixloop.pid": str(os.getpid()),
            },
            environment={},
            host_config=host_config,
            name=f"fixloop-{os.getpid()}-{uuid.uuid4().hex[:8]}",
        )
        container = client.containers.prepare_model({"Id": created["Id"]})
        try:
            client.api.start(created["Id"])
        except docker.errors.APIError:
            remove_container(container)
            raise
    except docker.errors.ImageNotFound:
        raise SandboxUnavailable(
            f"docker sandbox unavailable: image {image!r} is not on the engine at "
            f"{engine_name()}; run `docker pull {image}` or choose another with --image"
        ) from None
    except docker.errors.APIError as exc:
        raise SandboxUnavailable(
            f"docker sandbox unavailable: cannot start a container from {image!r} "
            f"({exc.explanation or exc})"
        ) from None
    except docker.errors.DockerException as exc:
        raise unreachable(exc) from None
    except OSError as exc:  # requests' connection errors derive from OSError
        raise unreachable(exc) from None
    return container


def exec_with_input(
    client: Any, container: Any, command: list[str], data: bytes, user: str
) -> tuple[int, bytes]:
    """Run `command` in the container with `data` on stdin; return (exit code, output)."""
    exec_id = client.api.exec_create(
        container.id, command, stdin=True, stdout=True, stderr=True, user=user
    )["Id"]
    sock = client.api.exec_start(exec_id, socket=True)
    raw = getattr(sock, "_sock", sock)
    output = bytearray()
    try:
        raw.sendall(data)
        raw.shutdown(socket.SHUT_WR)
        while chunk := raw.recv(65536):
            output.extend(chunk[:4096])
    finally:
        raw.close()
    return int(client.api.exec_inspect(exec_id)["ExitCode"] or 0), bytes(output)


def host_procs(container: Any) -> Path | None:
    """The container's member list (`cgroup.procs` of its pids cgroup) as seen from this host,
    when the engine runs here and this process may signal any process (root); else None.

    Killing a run from the host costs a few system calls; an exec to kill it has to start
    inside the container, where a fork bomb of that very run competes with it for the CPU.
    """
    if os.geteuid() != 0:
        return None
    try:
        container.reload()
        init = int(container.attrs["State"]["Pid"] or 0)
        lines = Path(f"/proc/{init}/cgroup").read_text().splitlines() if init else []
    except Exception:  # noqa: BLE001 - an engine elsewhere, or a container gone: no host view
        return None
    for line in lines:
        _, controllers, path = line.split(":", 2)
        # Only the container's own cgroup (named after its id by every docker cgroup driver):
        # the pid may belong to an unrelated process here when the engine runs elsewhere.
        if container.id not in path:
            continue
        if "pids" in controllers.split(",") or controllers == "":
            for base in (Path("/sys/fs/cgroup/pids"), Path("/sys/fs/cgroup")):
                procs = base / path.lstrip("/") / "cgroup.procs"
                if procs.is_file() and str(init) in procs.read_text().split():
                    return procs
    return None


def kill_uid_on_host(procs: Path, uid: int, grace: float) -> bool:
    """Kill every member of the container running as `uid` (blocking); True once none is
    left. With `grace`, SIGTERM first and SIGKILL that long after."""

    def members() -> list[int]:
        found: list[int] = []
        try:
            pids = procs.read_text().split()
        except OSError:
            return found
        for pid in pids:
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue  # gone meanwhile
            real = next(
                (line.split()[1] for line in status.splitlines() if line.startswith("Uid:")), ""
            )
            if real == str(uid):
                found.append(int(pid))
        return found

    def send(sig: int, pids: list[int]) -> None:
        for pid in pids:
            try:
                os.kill(pid, sig)
            except (ProcessLookupError, PermissionError):
                pass

    if grace > 0:
        send(signal.SIGTERM, members())
        ends = time.monotonic() + grace
        while time.monotonic() < ends and members():  # the grace ends early once all are gone
            time.sleep(0.01)
    for _ in range(2000):
        pids = members()
        if not pids:
            return True
        send(signal.SIGKILL, pids)
        time.sleep(0.002)
    return False


def remove_container(container: Any) -> None:
    try:
        container.remove(force=True)
    except Exception:  # already gone, or the engine went away: nothing left to clean
        pass


def reap_leftovers(client: Any) -> None:
    """Remove fixloop containers whose server process on this host no longer exists."""
    host = socket.gethostname()
    for container in client.containers.list(
        all=True, filters={"label": LABEL}, ignore_removed=True
    ):
        labels = container.labels or {}
        owner = labels.get("fixloop.pid", "")
        if labels.get("fixloop.host") != host or not owner.isdigit():
            continue
        if not Path(f"/proc/{owner}").exists():
            remove_container(container)
