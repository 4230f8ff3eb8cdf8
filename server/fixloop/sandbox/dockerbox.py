"""The `docker` backend: one locked-down container per sandbox instance, each run an exec.

The container (network none unless asked, memory and pids limits, every capability dropped,
no-new-privileges, read-only root with sized tmpfs at /tmp and /workspace, an init process,
capped logs, fixloop labels) is started once and reused; `close()` removes it, and leftovers
of crashed servers are reaped when a new sandbox opens. The engine is whatever the docker SDK
finds (DOCKER_HOST included), so nothing relies on a shared file system: the project is
streamed into /workspace as a tar through an exec, and overlays are re-streamed when they
change. Each run executes as its own unprivileged uid, which makes "kill this run's whole tree"
exact: `kill -9 -1` issued as that uid reaches every process of the run (even ones that left
the session) and nothing else, both when the program ends and when the wall clock runs out.
Starting an exec costs the engine tens of milliseconds, so from a sandbox's second run on, spare
execs (each with its own uid) are started in the background and wait on stdin; a run sends its
order (arguments and environment) and its stdin to a spare and reads the output frames back.
"""

from __future__ import annotations

import asyncio
import io
import itertools
import os
import re
import socket
import tarfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fixloop.sandbox.base import (
    Limits,
    RunResult,
    RunSpec,
    SandboxProcess,
    SandboxUnavailable,
    track_process,
)
from fixloop.sandbox.cleanup import shielded
from fixloop.sandbox.dockerproc import STDERR, STDOUT, open_exec, read_frame
from fixloop.sandbox.process import Outcome, allowed_env, classify, cpu_seconds
from fixloop.sandbox.workspace import check_overlay_path, project_files
from fixloop.sandbox.zygote import export_steps, shell_word

LABEL = "fixloop.sandbox"
WORKSPACE = "/workspace"
STAGER_UID = 9999  # owns the project copy; runs use other uids and so cannot change it
_RUN_UIDS = range(20000, 29000)
# The run wrapper (POSIX sh): fresh private scratch, limits, the program in the background so
# the wrapper can wait for it and then kill everything else the run's uid started.
_WRAPPER = r"""
umask 077
d="$1"; cwd="$2"; shift 2
# The scratch name ends in a random part nobody can create first; earlier scratch of this uid
# (left by a run killed at the wall clock) goes now.
for old in "${d%-*}"-*; do
  if [ -O "$old" ]; then chmod -R u+rwx "$old"; rm -rf "$old"; fi
done 2>/dev/null
mkdir "$d" "$d/home" || exit 125
ulimit -c 0; ulimit -t "$CPU_S"; ulimit -f "$FILE_BLOCKS"; ulimit -n "$NOFILE"
ulimit -v "$MEM_KB"; ulimit -p "$NPROC" 2>/dev/null
unset CPU_S FILE_BLOCKS NOFILE MEM_KB NPROC
cd "$cwd" || exit 125
# A background job's stdin is /dev/null before its redirections apply: keep ours on fd 3.
exec 3<&0
"$@" <&3 3<&- &
wait $!
rc=$?
# kill -1 reaches every process of this uid but the wrapper. It returns once the signals are
# sent, not once the processes are gone (and succeeds whenever any other process exists), so
# look for this uid in /proc until only the wrapper is left: the last words below then mean
# that nothing of the run is alive.
kill -9 -1 2>/dev/null
n=0
while [ $n -lt 2000 ]; do
  left=
  for p in /proc/[0-9]*; do
    if [ "$p" != "/proc/$$" ] && [ -O "$p" ]; then left=1; break; fi
  done
  [ -z "$left" ] && break
  kill -9 -1 2>/dev/null; n=$((n+1))
done
printf '\000fixloop-exit:%s:%d\n' "$nonce" "$rc" >&2
exit $rc
"""
# A spare exec reads one order line (`set --` the wrapper's arguments, `export` the run's
# environment; `read` takes one byte at a time, so what follows is the program's stdin), then
# becomes the wrapper.
_SPARE = "NL='\n'\nIFS= read -r order || exit 0\neval \"$order\"\n" + _WRAPPER
SPARES = 2
# The wrapper's last words on stderr (nothing of the run is alive to write after them): the
# exit status, so a run needs neither the end of the stream nor a request to the engine.
# It carries a nonce that only the wrapper's shell holds (a variable from the order, never in
# an environment or a command line), so a program cannot forge a success and then kill the
# wrapper before it speaks.
_TRAILER = re.compile(rb"\x00fixloop-exit:([0-9a-f]*):(\d+)\n$")


def _docker() -> Any:
    try:
        import docker
    except ImportError as exc:  # the optional extra is missing
        raise SandboxUnavailable(
            "docker sandbox unavailable: the docker Python package is not installed "
            "(pip install 'fixloop[docker]')"
        ) from exc
    return docker


def _engine_name() -> str:
    return os.environ.get("DOCKER_HOST") or "unix:///var/run/docker.sock"


def _unreachable(exc: BaseException) -> SandboxUnavailable:
    return SandboxUnavailable(
        f"docker sandbox unavailable: cannot reach the Docker engine at {_engine_name()} "
        f"({type(exc).__name__}: {exc}); start it (dockerd, or `systemctl start docker`) or "
        "point DOCKER_HOST at a running engine"
    )


_CLIENTS: dict[str, Any] = {}
_CLIENTS_LOCK = threading.Lock()


def _client(docker: Any) -> Any:
    """One SDK client per engine address for the process: creating one costs a round trip
    (API version negotiation), and the HTTP connections it pools are worth keeping."""
    with _CLIENTS_LOCK:
        key = _engine_name()
        if key not in _CLIENTS:
            _CLIENTS[key] = docker.from_env(timeout=60)
        return _CLIENTS[key]


class DockerSandbox:
    """Runs each program as an exec in one long-lived, locked-down container."""

    name = "docker"
    protected = True

    def __init__(self, client: Any, image: str, limits: Limits) -> None:
        self.client = client
        self.image = image
        self.limits = limits
        self._containers: dict[bool, Any] = {}  # network on/off -> container
        self._projects: dict[tuple[bool, Path], str] = {}  # -> directory in the container
        self._overlays: dict[tuple[bool, Path], dict[str, str]] = {}
        self._uids = itertools.cycle(_RUN_UIDS)
        self._lock = asyncio.Lock()
        self._processes: set[SandboxProcess] = set()
        self._spares: dict[bool, list[asyncio.Future[_Spare]]] = {}
        self._runs = 0

    @classmethod
    async def open(
        cls, image: str | None = None, quick_check: bool = False, limits: Limits | None = None
    ) -> DockerSandbox:
        from fixloop.settings import DEFAULT_DOCKER_IMAGE

        docker = _docker()
        image = image or DEFAULT_DOCKER_IMAGE

        def connect() -> Any:
            try:
                if quick_check:
                    # `auto` must not hang on a dead DOCKER_HOST: a short ping first.
                    probe = docker.from_env(timeout=3)
                    probe.ping()
                    probe.close()
                return _client(docker)
            except Exception as exc:
                raise _unreachable(exc) from None

        client = await asyncio.to_thread(connect)
        sandbox = cls(client, image, limits or Limits())
        # Reaping leftovers and starting our container are independent: overlap them. A
        # missing image or a dead engine surfaces from the start, with its own message.
        await asyncio.gather(
            asyncio.to_thread(_reap_leftovers, client), asyncio.to_thread(sandbox._container, False)
        )
        return sandbox

    def _container(self, network: bool) -> Any:
        """The container for this network mode, started on first use (blocking)."""
        if network in self._containers:
            return self._containers[network]
        docker = _docker()
        limits = self.limits
        try:
            # The low-level calls skip the inspections the high-level `run` adds.
            host_config = self.client.api.create_host_config(
                init=True,
                network_mode="bridge" if network else "none",
                mem_limit=f"{limits.memory_mb}m",
                memswap_limit=f"{limits.memory_mb}m",
                pids_limit=limits.processes,
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
            created = self.client.api.create_container(
                self.image,
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
            container = self.client.containers.prepare_model({"Id": created["Id"]})
            try:
                self.client.api.start(created["Id"])
            except docker.errors.APIError:
                _remove(container)
                raise
        except docker.errors.ImageNotFound:
            raise SandboxUnavailable(
                f"docker sandbox unavailable: image {self.image!r} is not on the engine at "
                f"{_engine_name()}; run `docker pull {self.image}` or choose another with --image"
            ) from None
        except docker.errors.APIError as exc:
            raise SandboxUnavailable(
                f"docker sandbox unavailable: cannot start a container from {self.image!r} "
                f"({exc.explanation or exc})"
            ) from None
        except docker.errors.DockerException as exc:
            raise _unreachable(exc) from None
        except OSError as exc:  # requests' connection errors derive from OSError
            raise _unreachable(exc) from None
        self._containers[network] = container
        return container

    # -- staging -------------------------------------------------------------------------

    def _exec_with_input(
        self, container: Any, command: list[str], data: bytes, user: str
    ) -> tuple[int, bytes]:
        """Run `command` in the container with `data` on stdin; return (exit code, output)."""
        exec_id = self.client.api.exec_create(
            container.id, command, stdin=True, stdout=True, stderr=True, user=user
        )["Id"]
        sock = self.client.api.exec_start(exec_id, socket=True)
        raw = getattr(sock, "_sock", sock)
        output = bytearray()
        try:
            raw.sendall(data)
            raw.shutdown(socket.SHUT_WR)
            while chunk := raw.recv(65536):
                output.extend(chunk[:4096])
        finally:
            raw.close()
        return int(self.client.api.exec_inspect(exec_id)["ExitCode"] or 0), bytes(output)

    def _staged(self, spec: RunSpec) -> bool:
        """True when the container already holds this project with exactly this overlay."""
        key = (spec.network, spec.root.resolve())
        return key in self._projects and self._overlays.get(key) == dict(spec.overlay)

    def _stage(self, spec: RunSpec) -> str:
        """Bring the project copy in the container up to date with `spec.overlay` (blocking).

        Returns the project directory inside the container.
        """
        container = self._container(spec.network)
        root = spec.root.resolve()
        key = (spec.network, root)
        deletions: list[str] = []
        members = 0
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w") as archive:
            if key not in self._projects:
                self._projects[key] = f"{WORKSPACE}/p{len(self._projects)}/{_safe_name(root)}"
                for rel, source in project_files(root):
                    info = tarfile.TarInfo(rel)
                    members += 1
                    if source is None:
                        info.type, info.mode = tarfile.DIRTYPE, 0o755
                        archive.addfile(info)
                    else:
                        data = source.read_bytes()
                        info.size, info.mode = len(data), 0o644
                        archive.addfile(info, io.BytesIO(data))
                self._overlays[key] = {}
            previous = self._overlays[key]
            # New or changed overlay files, and the originals of files no longer overlaid
            # (restored byte for byte from the project, or deleted when they never existed).
            writes: dict[str, bytes] = {
                rel: text.encode("utf-8")
                for rel, text in spec.overlay.items()
                if previous.get(rel) != text
            }
            for rel in previous.keys() - spec.overlay.keys():
                original = root / rel
                if original.is_file():
                    writes[rel] = original.read_bytes()
                else:
                    deletions.append(rel)
            for rel, data in writes.items():
                check_overlay_path(rel)
                members += 1
                info = tarfile.TarInfo(rel)
                info.size, info.mode = len(data), 0o644
                archive.addfile(info, io.BytesIO(data))
        directory = self._projects[key]
        self._overlays[key] = {rel: text for rel, text in spec.overlay.items()}
        if members or deletions:  # unchanged overlay: no exec at all
            script = 'mkdir -p "$1" && cd "$1" && shift && rm -f -- "$@" && tar -x -m -f -'
            code, output = self._exec_with_input(
                container,
                ["sh", "-c", script, "sh", directory, *deletions],
                buffer.getvalue(),
                user=f"{STAGER_UID}:{STAGER_UID}",
            )
            if code != 0:
                detail = output.decode("utf-8", errors="replace")[-500:]
                raise SandboxUnavailable(
                    f"docker sandbox: copying the project failed (exit {code}): {detail}"
                )
        return directory

    # -- running -------------------------------------------------------------------------

    def _run_env(self, spec: RunSpec, scratch: str) -> dict[str, str]:
        limits = spec.limits
        env = allowed_env(
            home=f"{scratch}/home",
            tmp=scratch,
            path_dirs=[],
            extra=spec.env,
            marker=uuid.uuid4().hex,
        )
        env.update(
            CPU_S=str(cpu_seconds(limits)),
            FILE_BLOCKS=str(limits.file_size_mb * 2048),
            NOFILE=str(limits.open_files),
            MEM_KB=str(limits.memory_mb * 1024),
            NPROC=str(limits.processes),
        )
        return env

    @staticmethod
    def _program(spec: RunSpec) -> list[str]:
        return ["python3", *spec.argv] if spec.use_python else list(spec.argv)

    @staticmethod
    def _scratch(uid: int) -> str:
        return f"/tmp/u{uid}-{uuid.uuid4().hex[:12]}"

    def _command(self, spec: RunSpec, uid: int, directory: str) -> list[str]:
        """The exec command of a long-lived process (its stdin is the exec's)."""
        scratch = self._scratch(uid)
        assignments = [f"{k}={v}" for k, v in self._run_env(spec, scratch).items()]
        return [
            "env",
            "-i",
            *assignments,
            "sh",
            "-c",
            _WRAPPER,
            "fixloop-run",
            scratch,
            directory,
            *self._program(spec),
        ]

    def _order(self, spec: RunSpec, uid: int, directory: str, nonce: str) -> bytes:
        """The line a spare reads: the wrapper's arguments, then the run's environment."""
        scratch = self._scratch(uid)
        words = " ".join(shell_word(word) for word in (scratch, directory, *self._program(spec)))
        steps = [f"nonce={nonce}", f"set -- {words}", *export_steps(self._run_env(spec, scratch))]
        return ("; ".join(steps) + "\n").encode()

    # -- spares --------------------------------------------------------------------------

    def _start_spare(self, network: bool) -> asyncio.Future[_Spare]:
        uid = next(self._uids)

        async def start() -> _Spare:
            container = await asyncio.to_thread(self._container, network)
            exec_id, reader, writer = await open_exec(
                self.client, container, ["env", "-i", "sh", "-c", _SPARE, "fixloop-run"], uid=uid
            )
            return _Spare(exec_id, uid, reader, writer)

        return asyncio.ensure_future(start())

    async def _take_spare(self, network: bool) -> _Spare:
        """A waiting spare exec (one started now when none is ready)."""
        waiting = self._spares.setdefault(network, [])
        while waiting:
            ready = [spare for spare in waiting if spare.done()]
            future = ready[0] if ready else waiting[0]
            waiting.remove(future)
            try:
                spare = await future
            except Exception:  # noqa: BLE001 - a spare that failed to start: start another
                continue
            if not spare.reader.at_eof():
                return spare
            spare.writer.close()
        return await self._start_spare(network)

    def _top_up(self, network: bool) -> None:
        """Start spares after the current run has begun; one-off runs never pay for them."""
        if self._runs < 2:
            return
        waiting = self._spares.setdefault(network, [])
        while len(waiting) < SPARES:
            waiting.append(self._start_spare(network))

    # -- running -------------------------------------------------------------------------

    async def run(self, spec: RunSpec) -> RunResult:
        for relative in spec.overlay:
            check_overlay_path(relative)
        if spec.network not in self._containers:  # start it off the event loop
            await asyncio.to_thread(self._container, spec.network)
        async with self._lock:  # staging and the run share the project copy
            if self._staged(spec):
                directory = self._projects[(spec.network, spec.root.resolve())]
            else:
                directory = await asyncio.to_thread(self._stage, spec)
            outcome = await self._run_exec(spec, directory)
        real = str(spec.root.resolve())
        outcome = _replace_paths(outcome, directory, real)
        return classify(outcome, sandbox=self.name, roots=[real], protected=True, signal_offset=128)

    async def _run_exec(self, spec: RunSpec, directory: str) -> Outcome:
        container = self._container(spec.network)
        limits = spec.limits
        spare = await self._take_spare(spec.network)
        self._runs += 1
        started = time.monotonic()
        try:
            capture = _FrameCapture(limits.output_bytes, nonce=uuid.uuid4().hex)
            spare.writer.write(self._order(spec, spare.uid, directory, capture.nonce) + spec.stdin)
            spare.writer.write_eof()  # the program reads EOF after its stdin
            self._top_up(spec.network)
            pump = asyncio.ensure_future(capture.pump(spare.reader))
            over = asyncio.ensure_future(capture.over.wait())
            done, _ = await asyncio.wait(
                {pump, over}, timeout=limits.wall_seconds, return_when=asyncio.FIRST_COMPLETED
            )
            over.cancel()
            timed_out = not done
            if timed_out or capture.truncated:
                await asyncio.to_thread(
                    self._kill_uid, container, spare.uid, limits.kill_grace_seconds
                )
            try:
                await asyncio.wait_for(asyncio.shield(pump), timeout=10)
            except asyncio.TimeoutError:
                pump.cancel()
        finally:
            spare.writer.close()
        returncode = capture.exit_code()
        if returncode is None:  # killed before its last words (timeout, output cap): ask
            info = await asyncio.to_thread(self.client.api.exec_inspect, spare.exec_id)
            if info.get("Running", True):
                await asyncio.to_thread(self._kill_uid, container, spare.uid, 0)
            else:
                returncode = info.get("ExitCode")
        return Outcome(
            returncode=returncode,
            stdout=bytes(capture.stdout).decode("utf-8", errors="replace"),
            stderr=bytes(capture.stderr).decode("utf-8", errors="replace"),
            truncated=capture.truncated,
            timed_out=timed_out,
            duration_ms=int((time.monotonic() - started) * 1000),
            processes_limited=False,
        )

    def _kill_uid(self, container: Any, uid: int, grace: float) -> None:
        """Kill every process of one run: they all run as `uid` and nothing else does."""
        script = "kill -9 -1" if grace <= 0 else f"kill -TERM -1; sleep {grace:g}; kill -9 -1"
        container.exec_run(["sh", "-c", script + " 2>/dev/null; true"], user=f"{uid}:{uid}")

    async def start_process(self, spec: RunSpec) -> SandboxProcess:
        from fixloop.sandbox.dockerproc import start_docker_process

        uid = next(self._uids)
        async with self._lock:
            directory = await asyncio.to_thread(self._stage, spec)  # starts the container
        container = self._container(spec.network)
        command = self._command(spec, uid, directory)
        process = await start_docker_process(
            self.client, container, command, uid=uid, kill=lambda: self._kill_uid(container, uid, 0)
        )
        track_process(self._processes, process)
        return process

    async def close(self) -> None:
        """Kill every process, remove the containers; runs to its end even when cancelled."""
        await shielded(self._close())

    async def _close(self) -> None:
        for process in list(self._processes):
            await process.kill()
        self._processes.clear()
        spares, self._spares = self._spares, {}
        for future in (future for waiting in spares.values() for future in waiting):
            try:
                spare = await future
            except Exception:  # noqa: BLE001, S112 - it never started: nothing to end
                continue
            spare.writer.close()  # it reads EOF and exits; removing the container ends it too
        for container in list(self._containers.values()):
            await asyncio.to_thread(_remove, container)
        self._containers.clear()


@dataclass
class _Spare:
    """An exec waiting, as its own uid, for one run's order on its stdin."""

    exec_id: str
    uid: int
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter


@dataclass
class _FrameCapture:
    """A run's output frames, both streams capped together, and the wrapper's exit trailer."""

    cap: int
    nonce: str
    stdout: bytearray = field(default_factory=bytearray)
    stderr: bytearray = field(default_factory=bytearray)
    truncated: bool = False
    tail: bytes = b""
    over: asyncio.Event = field(default_factory=asyncio.Event)

    async def pump(self, reader: asyncio.StreamReader) -> None:
        """Read frames until the wrapper's last words (or the end of the stream): the engine
        closes the stream only some milliseconds after the exec has ended."""
        while (frame := await read_frame(reader)) is not None:
            stream, payload = frame
            if stream not in (STDOUT, STDERR):
                continue
            sink = self.stdout if stream == STDOUT else self.stderr
            room = self.cap - len(self.stdout) - len(self.stderr)
            if len(payload) > room:
                sink.extend(payload[: max(room, 0)])
                self.truncated = True
                self.over.set()  # keep reading (and discarding) while the run is killed
            else:
                sink.extend(payload)
            if stream == STDERR:
                self.tail = (self.tail + payload)[-96:]
                if self.exit_code() is not None:
                    return

    def exit_code(self) -> int | None:
        """The status the wrapper reported as its last words (removed from stderr)."""
        trailer = _TRAILER.search(self.tail)
        if trailer is None or trailer.group(1) != self.nonce.encode():
            return None
        if self.stderr.endswith(trailer.group(0)):
            del self.stderr[-len(trailer.group(0)) :]
        return int(trailer.group(2))


def _remove(container: Any) -> None:
    try:
        container.remove(force=True)
    except Exception:  # already gone, or the engine went away: nothing left to clean
        pass


def _reap_leftovers(client: Any) -> None:
    """Remove fixloop containers whose server process on this host no longer exists."""
    host = socket.gethostname()
    for container in client.containers.list(all=True, filters={"label": LABEL}):
        labels = container.labels or {}
        owner = labels.get("fixloop.pid", "")
        if labels.get("fixloop.host") != host or not owner.isdigit():
            continue
        if not Path(f"/proc/{owner}").exists():
            _remove(container)


def _safe_name(root: Path) -> str:
    name = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in root.name)
    return name.strip(".") or "project"


def _replace_paths(outcome: Outcome, inside: str, real: str) -> Outcome:
    from dataclasses import replace

    return replace(
        outcome,
        stdout=outcome.stdout.replace(inside, real),
        stderr=outcome.stderr.replace(inside, real),
    )
