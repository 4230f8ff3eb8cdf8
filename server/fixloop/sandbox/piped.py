"""A child process started from a worker thread, with its pipes attached to the event loop.

`asyncio.create_subprocess_exec` forks on the event loop thread and waits there until the child
has exec'd, and on Python 3.11 it starts one more thread per child to wait for it; on a loaded
machine that stalls the loop for milliseconds per run. Zygotes are started ahead of time, so
they are started here with `subprocess.Popen` in a worker thread instead; the loop only
connects the pipes (`StreamReader`s for stdout and stderr, a `StreamWriter` for stdin) and
learns about the exit from a pidfd, then reaps the child without blocking.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
from collections.abc import Sequence


class PipedProcess:
    """The parts of `asyncio.subprocess.Process` the sandbox uses, for a `Popen` child."""

    def __init__(self, popen: subprocess.Popen[bytes], pidfd: int | None) -> None:
        self._popen = popen
        self._pidfd = pidfd
        self.pid = popen.pid
        self.stdin: asyncio.StreamWriter | None = None
        self.stdout: asyncio.StreamReader | None = None
        self.stderr: asyncio.StreamReader | None = None
        self._exit: asyncio.Future[None] | None = None

    @property
    def returncode(self) -> int | None:
        return self._popen.poll() if self._popen.returncode is None else self._popen.returncode

    @property
    def attached(self) -> bool:
        return self._exit is not None

    async def attach(self) -> None:
        """Connect the pipes and the exit notification to the running loop: all or nothing.

        A transport owns its pipe's descriptor and removes the descriptor's number from the
        selector when it closes. So a half-done attach closes what it connected through the
        transports; closing those pipes directly would leave a transport that later removes
        the reader of whatever file reuses the number (a pidfd: its process is never waited).
        """
        loop = asyncio.get_running_loop()
        popen = self._popen
        assert popen.stdin is not None and popen.stdout is not None and popen.stderr is not None
        stdout, stderr = asyncio.StreamReader(limit=2**16), asyncio.StreamReader(limit=2**16)
        transports: list[asyncio.BaseTransport] = []
        try:
            for reader, pipe in ((stdout, popen.stdout), (stderr, popen.stderr)):
                read_transport, _ = await loop.connect_read_pipe(
                    lambda reader=reader: asyncio.StreamReaderProtocol(reader),  # type: ignore[misc]
                    pipe,
                )
                transports.append(read_transport)
            transport, protocol = await loop.connect_write_pipe(
                asyncio.streams.FlowControlMixin, popen.stdin
            )
            transports.append(transport)
        except BaseException:
            for connected in transports:
                connected.close()
            raise
        self.stdout, self.stderr = stdout, stderr
        self.stdin = asyncio.StreamWriter(transport, protocol, None, loop)
        self._exit = loop.create_future()
        if self._pidfd is not None:
            loop.add_reader(self._pidfd, self._on_exit)
        else:
            self._exit_poller = asyncio.ensure_future(self._poll_exit())

    def _on_exit(self) -> None:
        assert self._exit is not None and self._pidfd is not None
        asyncio.get_running_loop().remove_reader(self._pidfd)
        os.close(self._pidfd)
        self._pidfd = None
        if not self._exit.done():
            self._exit.set_result(None)

    async def _poll_exit(self) -> None:
        # No pidfd (old kernel): poll; the reap itself is non-blocking.
        while self._popen.poll() is None:  # noqa: ASYNC110 - nothing to wait on instead
            await asyncio.sleep(0.005)
        assert self._exit is not None
        if not self._exit.done():
            self._exit.set_result(None)

    async def exited(self) -> None:
        """Resolves when the process has exited (its pipes may still be open)."""
        assert self._exit is not None
        await asyncio.shield(self._exit)

    async def wait(self) -> int:
        await self.exited()
        return self._popen.wait()  # exited already: returns at once

    def write_before_attach(self, data: bytes) -> None:
        """Write to stdin from the worker thread that started the process (blocking, small)."""
        assert self.stdin is None and self._popen.stdin is not None
        self._popen.stdin.write(data)
        self._popen.stdin.flush()

    def kill(self) -> None:
        if self._popen.returncode is None:
            self._popen.kill()

    def abandon(self) -> None:
        """Kill, reap and close a process that was never attached to an event loop."""
        self.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self._popen.wait(timeout=2)
        for pipe in (self._popen.stdin, self._popen.stdout, self._popen.stderr):
            if pipe is not None:
                pipe.close()
        if self._pidfd is not None:
            os.close(self._pidfd)
            self._pidfd = None


def start_piped(
    argv: Sequence[str],
    *,
    pass_fds: Sequence[int] = (),
    env: dict[str, str] | None = None,
    cwd: str = "/",
) -> PipedProcess:
    """Start `argv` in its own session with three pipes (blocking: call from a worker thread)."""
    popen = subprocess.Popen(
        list(argv),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        pass_fds=tuple(pass_fds),
        start_new_session=True,
        env=env or {},
        cwd=cwd,
    )
    try:
        pidfd: int | None = os.pidfd_open(popen.pid)
    except (AttributeError, OSError):
        pidfd = None
    return PipedProcess(popen, pidfd)
