"""Execs with stdin attached inside the docker sandbox: long-lived processes
(`DockerSandbox.start_process`) and the spare execs that one-shot runs are handed to.

An exec is started with stdin attached and its raw socket handed to asyncio. Docker multiplexes
stdout and stderr on that socket in frames (an 8-byte header: stream number, then a big-endian
length); `read_frame` splits them. A long-lived process has a pump task that feeds stdout into
the `StreamReader` callers read and drops stderr. `kill()` kills every process of the run's
uid, which is the whole tree of this process and nothing else, then closes the socket.
"""

from __future__ import annotations

import asyncio
import os
import socket
import struct
from collections.abc import Callable
from typing import Any

from fixloop.sandbox.cleanup import shielded

_HEADER = struct.Struct(">BxxxL")
STDOUT, STDERR = 1, 2


async def read_frame(reader: asyncio.StreamReader) -> tuple[int, bytes] | None:
    """The next (stream number, payload) on an exec socket, or None at its end."""
    try:
        stream, size = _HEADER.unpack(await reader.readexactly(_HEADER.size))
        return stream, await reader.readexactly(size)
    except (asyncio.IncompleteReadError, ConnectionError):
        return None


class DockerProcess:
    """Implements `SandboxProcess` over a docker exec socket."""

    def __init__(
        self,
        client: Any,
        exec_id: str,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        kill: Callable[[], None],
    ) -> None:
        self.stdin: asyncio.StreamWriter = writer
        self.stdout = asyncio.StreamReader()
        self._client = client
        self._exec_id = exec_id
        self._raw = reader
        self._kill = kill
        self._killed = False
        self._pump_task = asyncio.create_task(self._pump())
        # Set by the sandbox that tracks its live processes: called once this one is gone.
        self.forget: Callable[[], None] | None = None

    async def _pump(self) -> None:
        try:
            while (frame := await read_frame(self._raw)) is not None:
                if frame[0] == STDOUT:
                    self.stdout.feed_data(frame[1])
        finally:
            self.stdout.feed_eof()

    def changed_files(self) -> tuple[str, ...]:
        return ()  # the project copy belongs to another uid: the process cannot change it

    async def kill(self) -> None:
        if self._killed:
            return
        self._killed = True
        await shielded(self._kill_tree())

    async def _kill_tree(self) -> None:
        await asyncio.to_thread(self._kill)
        self.stdin.close()
        if self.forget is not None:
            self.forget()
        try:
            await asyncio.wait_for(self._pump_task, timeout=5)
        except asyncio.TimeoutError:
            self._pump_task.cancel()

    async def wait(self) -> int | None:
        await asyncio.shield(self._pump_task)
        for _ in range(100):
            info = await asyncio.to_thread(self._client.api.exec_inspect, self._exec_id)
            if not info.get("Running"):
                await self.kill()  # the worker is gone: nothing it started may outlive it
                return info.get("ExitCode")
            await asyncio.sleep(0.02)
        await self.kill()
        return None


async def open_exec(
    client: Any,
    container: Any,
    command: list[str],
    *,
    uid: int,
) -> tuple[str, asyncio.StreamReader, asyncio.StreamWriter]:
    """Start `command` as `uid` with stdin attached: (exec id, its socket's two ends)."""

    def start() -> tuple[str, socket.socket]:
        exec_id = client.api.exec_create(
            container.id, command, stdin=True, stdout=True, stderr=True, user=f"{uid}:{uid}"
        )["Id"]
        sock = client.api.exec_start(exec_id, socket=True)
        raw = getattr(sock, "_sock", sock)
        # Our own descriptor: the SDK's wrapper closes its socket when it is collected.
        own = socket.socket(fileno=os.dup(raw.fileno()))
        sock.close()
        own.setblocking(False)
        return exec_id, own

    exec_id, raw = await asyncio.to_thread(start)
    try:
        reader, writer = await asyncio.open_connection(sock=raw)
    except BaseException:
        raw.close()
        raise
    return exec_id, reader, writer


async def start_docker_process(
    client: Any,
    container: Any,
    command: list[str],
    *,
    uid: int,
    kill: Callable[[], None],
) -> DockerProcess:
    exec_id, reader, writer = await open_exec(client, container, command, uid=uid)
    return DockerProcess(client, exec_id, reader, writer, kill)
