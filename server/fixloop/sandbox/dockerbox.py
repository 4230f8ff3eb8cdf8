"""The `docker` backend: one locked-down container per sandbox instance, each run an exec.

The container (network none unless asked, memory and pids limits, every capability dropped,
no-new-privileges, read-only root with sized tmpfs at /tmp and /workspace, an init process,
capped logs, fixloop labels) is started once and reused; `close()` removes it, and leftovers
of crashed servers are reaped when a new sandbox opens. The engine is whatever the docker SDK
finds (DOCKER_HOST included), so nothing relies on a shared file system: the project is
streamed into /workspace as a tar through an exec, and overlays are re-streamed when they
change. Each run executes as its own unprivileged uid (see `dockerrun`: uids are never shared
while a process of theirs lives), which makes "kill this run's whole tree" exact: a `kill -9 -1`
loop issued as that uid reaches every process of the run (even ones that left the session) and
nothing else, when the program ends, when the wall clock runs out and when the run is
cancelled. Starting an exec costs the engine tens of milliseconds, so from a sandbox's second
run on (from its first when shared), spare execs (each with its own uid, see `dockerspares`)
are started in the background and wait on stdin; a run sends its order and its stdin to a spare
and reads the output frames back.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import replace
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
from fixloop.sandbox.dockerengine import (
    client_for,
    docker_sdk,
    host_procs,
    kill_uid_on_host,
    reap_leftovers,
    remove_container,
    start_container,
    unreachable,
)
from fixloop.sandbox.dockerproc import open_exec
from fixloop.sandbox.dockerrun import (
    SPARE,
    FrameCapture,
    RunUids,
    SpareExec,
    kill_script,
    long_lived_command,
    order_line,
    warm_order,
    warm_spare_command,
)
from fixloop.sandbox.dockerspares import SparePool
from fixloop.sandbox.dockerstage import ProjectStager
from fixloop.sandbox.images import DEFAULT_DOCKER_IMAGE
from fixloop.sandbox.outcome import Outcome, classify
from fixloop.sandbox.workspace import check_overlay_path

_BUSY_RETRIES = 3  # spares to try when a uid turns out to have a process of unknown origin


class DockerSandbox:
    """Runs each program as an exec in one long-lived, locked-down container."""

    name = "docker"
    protected = True

    def __init__(self, client: Any, image: str, limits: Limits) -> None:
        self.client = client
        self.image = image
        self.limits = limits
        self._containers: dict[bool, Any] = {}  # network on/off -> container
        self._stager = ProjectStager()
        self.shared = False  # see `share()`
        self._uids = RunUids()
        self._host_procs: dict[str, Path | None] = {}  # container id -> its members, seen here
        self._lock = asyncio.Lock()
        self._processes: set[SandboxProcess] = set()
        self._spares = SparePool(self._start_spare, lambda: self._uids.free)
        self._runs = 0

    @classmethod
    async def open(
        cls, image: str | None = None, quick_check: bool = False, limits: Limits | None = None
    ) -> DockerSandbox:
        docker = docker_sdk()
        image = image or DEFAULT_DOCKER_IMAGE

        def connect() -> Any:
            try:
                if quick_check:
                    # `auto` must not hang on a dead DOCKER_HOST: a short ping first.
                    probe = docker.from_env(timeout=3)
                    probe.ping()
                    probe.close()
                return client_for(docker)
            except Exception as exc:
                raise unreachable(exc) from None

        client = await asyncio.to_thread(connect)
        sandbox = cls(client, image, limits or Limits())
        # Reaping leftovers and starting our container are independent: overlap them. A
        # missing image or a dead engine surfaces from the start, with its own message.
        await asyncio.gather(
            asyncio.to_thread(reap_leftovers, client), asyncio.to_thread(sandbox._container, False)
        )
        return sandbox

    def _container(self, network: bool) -> Any:
        """The container for this network mode, started on first use (blocking)."""
        if network not in self._containers:
            self._containers[network] = start_container(
                self.client, self.image, self.limits, network=network
            )
        return self._containers[network]

    def _stage(self, spec: RunSpec) -> str:
        """The project copy for `spec`, brought up to date (blocking; starts the container)."""
        return self._stager.stage(self.client, self._container(spec.network), spec)

    def share(self) -> None:
        """Follow the project on disk between runs; keep spares from the first run on."""
        self.shared = self._stager.follow = True

    async def warm(self, spec: RunSpec) -> None:
        self.share()
        async with self._lock:
            await asyncio.to_thread(self._stage, spec)
        # Warm spares for the script runs such a spec makes (Run File).
        self._spares.expect(replace(spec, argv=("warm.py",), use_python=True))
        self._top_up(spec.network)

    # -- spares --------------------------------------------------------------------------

    def _start_spare(self, network: bool, like: RunSpec | None) -> asyncio.Future[SpareExec]:
        """A spare exec (see `dockerspares`): plain, or warm for runs `like` this one."""
        # A spare that never starts keeps its uid: whatever it left, nothing runs as it again.
        uid = self._uids.take()

        async def start() -> SpareExec:
            container = await asyncio.to_thread(self._container, network)
            command, env = ["env", "-i", "sh", "-c", SPARE, "fixloop-run"], None
            if like is not None:
                command, env = warm_spare_command(like, uid)
            exec_id, reader, writer = await open_exec(self.client, container, command, uid=uid)
            return SpareExec(exec_id, uid, reader, writer, warm_env=env)

        return asyncio.ensure_future(start())

    def _top_up(self, network: bool) -> None:
        """Start spares after a run; one-off runs never pay for them."""
        if self._runs < 2 and not self.shared:
            return
        self._spares.top_up(network, warm=self.shared)

    # -- running -------------------------------------------------------------------------

    async def run(self, spec: RunSpec) -> RunResult:
        for relative in spec.overlay:
            check_overlay_path(relative)
        if spec.network not in self._containers:  # start it off the event loop
            await asyncio.to_thread(self._container, spec.network)
        async with self._lock:  # staging and the run share the project copy
            directory = self._stager.staged(spec)
            if directory is None:
                directory = await asyncio.to_thread(self._stage, spec)
            outcome = await self._run_exec(spec, directory)
        real = str(spec.root.resolve())
        outcome = _replace_paths(outcome, directory, real)
        return classify(outcome, sandbox=self.name, roots=[real], protected=True, signal_offset=128)

    async def _run_exec(self, spec: RunSpec, directory: str) -> Outcome:
        for _ in range(_BUSY_RETRIES):
            spare = await self._spares.take(spec, warm=self.shared)
            try:
                outcome = await self._run_on(spare, spec, directory)
            finally:
                # Spares start once the run is over: an exec start costs the engine more CPU
                # than a short run takes, and beside it a Run File took 11 ms instead of 7.6.
                self._top_up(spec.network)
            if outcome is not None:
                return outcome
        raise SandboxUnavailable(
            "docker sandbox: the run uids offered already had processes of unknown origin; "
            "close the sandbox to start a fresh container"
        )

    async def _run_on(self, spare: SpareExec, spec: RunSpec, directory: str) -> Outcome | None:
        """One run on `spare`; None when its uid turned out to have a process already."""
        container = self._container(spec.network)
        limits = spec.limits
        self._runs += 1
        started = time.monotonic()
        capture = FrameCapture(limits.output_bytes, nonce=uuid.uuid4().hex)
        pump = asyncio.ensure_future(capture.pump(spare.reader))
        clean: bool | None = None  # nothing of the uid is alive (None: not known yet)
        timed_out = finished = False
        try:
            if spare.warm_env is None:
                order = order_line(spec, spare.uid, directory, capture.nonce)
            else:
                order = warm_order(spec, directory, capture.nonce, spare.warm_env)
            spare.writer.write(order + spec.stdin)
            spare.writer.write_eof()  # the program reads EOF after its stdin
            over = asyncio.ensure_future(capture.over.wait())
            try:
                done, _ = await asyncio.wait(
                    {pump, over}, timeout=limits.wall_seconds, return_when=asyncio.FIRST_COMPLETED
                )
            finally:
                over.cancel()
            timed_out = not done
            if timed_out or capture.truncated:
                clean = await asyncio.to_thread(
                    self._kill_uid, container, spare.uid, limits.kill_grace_seconds
                )
            try:
                await asyncio.wait_for(asyncio.shield(pump), timeout=10)
            except asyncio.TimeoutError:
                pump.cancel()
            finished = True
        finally:
            spare.writer.close()
            if not finished:  # cancelled or failed mid-run: nothing of it may run on
                pump.cancel()
                await shielded(asyncio.to_thread(self._end_uid, container, spare.uid))
        capture.finish()
        if capture.uid_was_busy():
            return None  # the uid stays retired; the caller takes another spare
        returncode: int | None = None
        words = capture.last_words()
        if words is not None:
            returncode, clean = words
        else:  # killed before its last words (timeout, output cap): ask the engine
            info = await asyncio.to_thread(self.client.api.exec_inspect, spare.exec_id)
            running = info.get("Running", True)
            if not running:
                returncode = info.get("ExitCode")
            if clean is None or running:
                clean = await asyncio.to_thread(self._kill_uid, container, spare.uid, 0)
        self._uids.release(spare.uid, clean=bool(clean))
        if words is None and not (timed_out or capture.truncated):
            # No last words, yet no limit stopped it: the exec may never have started because
            # the container stopped (the engine's own message is then all the output).
            if not await asyncio.to_thread(_running, container):
                said = bytes(capture.stdout + capture.stderr).decode("utf-8", "replace").strip()
                raise SandboxUnavailable(f"docker sandbox: its container stopped ({said[:200]})")
        return Outcome(
            returncode=returncode,
            stdout=bytes(capture.stdout).decode("utf-8", errors="replace"),
            stderr=bytes(capture.stderr).decode("utf-8", errors="replace"),
            truncated=capture.truncated,
            timed_out=timed_out,
            duration_ms=int((time.monotonic() - started) * 1000),
            processes_limited=False,
        )

    def _kill_uid(self, container: Any, uid: int, grace: float) -> bool:
        """Kill every process of one run (they all run as `uid`, nothing else does); True once
        none is left (blocking). From the host when it can see the container's processes,
        else with an exec as that uid."""
        if container.id not in self._host_procs:
            self._host_procs[container.id] = host_procs(container)
        procs = self._host_procs[container.id]
        if procs is not None:
            return kill_uid_on_host(procs, uid, grace)
        try:
            code, _ = container.exec_run(["sh", "-c", kill_script(grace)], user=f"{uid}:{uid}")
        except Exception:  # noqa: BLE001 - the engine went away: nothing confirmed
            return False
        return code == 0

    def _end_uid(self, container: Any, uid: int) -> None:
        """Kill everything of `uid` and give it back (retired unless that was confirmed)."""
        self._uids.release(uid, clean=self._kill_uid(container, uid, 0))

    async def start_process(self, spec: RunSpec) -> SandboxProcess:
        from fixloop.sandbox.dockerproc import start_docker_process

        uid = self._uids.take()
        container: Any = None
        try:
            async with self._lock:
                directory = await asyncio.to_thread(self._stage, spec)  # starts the container
            container = self._container(spec.network)
            command = long_lived_command(spec, uid, directory)
            process = await start_docker_process(
                self.client, container, command, uid=uid, kill=lambda: self._end_uid(container, uid)
            )
        except BaseException:
            if container is None:
                self._uids.release(uid, clean=True)  # nothing ran as it
            else:
                await shielded(asyncio.to_thread(self._end_uid, container, uid))
            raise
        track_process(self._processes, process)
        return process

    async def close(self) -> None:
        """Kill every process, remove the containers; runs to its end even when cancelled."""
        await shielded(self._close())

    async def _close(self) -> None:
        for process in list(self._processes):
            await process.kill()
        self._processes.clear()
        await self._spares.close()
        for container in list(self._containers.values()):
            await asyncio.to_thread(remove_container, container)
        self._containers.clear()


def _running(container: Any) -> bool:
    """Is the container still running (blocking)? False when it is gone or unreachable."""
    try:
        container.reload()
    except Exception:  # noqa: BLE001 - removed, or the engine went away
        return False
    return bool(container.status == "running")


def _replace_paths(outcome: Outcome, inside: str, real: str) -> Outcome:
    return replace(
        outcome,
        stdout=outcome.stdout.replace(inside, real),
        stderr=outcome.stderr.replace(inside, real),
    )
