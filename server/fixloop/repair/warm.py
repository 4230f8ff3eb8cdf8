"""Host side of the warm validation worker: start it in the sandbox, send requests, read answers.

`WarmWorker` talks JSON lines to `fixloop/repair/worker.py` running as a long-lived sandbox
process (`Sandbox.start_process`). Each request forks one child inside the sandbox, so a candidate
costs a fork instead of a fresh interpreter plus pytest. If the worker dies, stops answering or
sends garbage, it is marked broken and killed, and the caller falls back to fresh processes; a
worker is never trusted with more than one request at a time.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping, Sequence
from pathlib import Path

from fixloop.oracle import worker_spec
from fixloop.sandbox.base import Limits, Sandbox, SandboxProcess

# Extra seconds the host waits beyond the worker's own per-child limit before declaring it hung.
HOST_GRACE_SECONDS = 5.0


class WarmWorker:
    def __init__(self, sandbox: Sandbox, root: Path, limits: Limits) -> None:
        self.sandbox = sandbox
        self.root = root
        self.limits = limits
        self.process: SandboxProcess | None = None
        self.broken = False
        self.reason = ""
        self._buffer = b""
        self._next_id = 0
        self._lock = asyncio.Lock()

    async def start(self, warm_modules: Sequence[str] = ()) -> bool:
        try:
            self.process = await self.sandbox.start_process(
                worker_spec(self.root, self.limits, once=False)
            )
        except Exception as exc:  # any backend failure means: use fresh processes
            self._break(f"cannot start the warm worker: {exc}")
            return False
        answer = await self.request({"op": "warm", "modules": list(warm_modules)}, timeout=30.0)
        return answer is not None and not self.broken

    async def request(self, request: Mapping[str, object], *, timeout: float) -> dict | None:
        """Send one request; None when the worker broke (then it is killed and stays broken)."""
        if self.broken or self.process is None:
            return None
        async with self._lock:
            self._next_id += 1
            message = dict(request, id=self._next_id)
            try:
                self.process.stdin.write((json.dumps(message) + "\n").encode())
                await self.process.stdin.drain()
                line = await asyncio.wait_for(self._read_line(), timeout + HOST_GRACE_SECONDS)
                answer = json.loads(line)
            except asyncio.CancelledError:
                await self._kill()
                self.broken = True
                raise
            except (asyncio.TimeoutError, ValueError, OSError, ConnectionError, EOFError) as exc:
                await self._kill()
                self._break(f"warm worker stopped answering ({type(exc).__name__})")
                return None
            if not isinstance(answer, dict) or answer.get("id") != self._next_id:
                await self._kill()
                self._break("warm worker answered out of turn")
                return None
            return answer

    async def _read_line(self) -> bytes:
        assert self.process is not None
        while b"\n" not in self._buffer:
            chunk = await self.process.stdout.read(1 << 16)
            if not chunk:
                raise EOFError("worker exited")
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        return line

    def _break(self, reason: str) -> None:
        self.broken = True
        self.reason = reason

    async def _kill(self) -> None:
        if self.process is not None:
            try:
                await self.process.kill()
            except Exception:  # already gone
                pass

    async def close(self) -> None:
        if self.process is not None:
            try:
                self.process.stdin.close()
            except Exception:
                pass
            await self._kill()
            self.process = None
