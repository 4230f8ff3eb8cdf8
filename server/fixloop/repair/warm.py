"""Host side of the warm validation worker: start it in the sandbox, send requests, read answers.

`WarmWorker` talks JSON lines (the typed messages of `fixloop.sandbox_worker.protocol`) to the
in-sandbox worker running as a long-lived sandbox process (`Sandbox.start_process`). Each request
forks one child inside the sandbox, so a candidate costs a fork instead of a fresh interpreter
plus pytest; `collect` first opens the worker's pytest session, so that children fork from
collected tests. If the worker dies, stops answering, sends garbage, or a request changed the
test files (the candidate's answer is then a cheat), it is marked broken and killed, and the
caller falls back to fresh processes; a worker is never trusted with more than one request at a
time.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, cast

from fixloop.oracle_runs import CHECK_HASH_SEED, tampered_answer, worker_spec
from fixloop.sandbox.base import Limits, Sandbox, SandboxProcess
from fixloop.sandbox_worker.protocol import (
    CollectAnswer,
    CollectRequest,
    RunAnswer,
    RunnerName,
    RunRequest,
)

# How long a worker may take to import the modules it warms.
WARM_TIMEOUT_SECONDS = 30.0

# Extra seconds the host waits beyond the worker's own per-child limit before declaring it hung.
HOST_GRACE_SECONDS = 5.0


class WarmWorker:
    def __init__(
        self, sandbox: Sandbox, root: Path, limits: Limits, pristine: tuple[str, ...] = ()
    ) -> None:
        self.sandbox = sandbox
        self.root = root
        self.limits = limits
        self.pristine = pristine  # the test files: checked after every request
        self.process: SandboxProcess | None = None
        self.broken = False
        self.reason = ""
        self._buffer = b""
        self._next_id = 0
        self._lock = asyncio.Lock()

    async def start(self, warm_modules: Sequence[str] = ()) -> bool:
        try:
            self.process = await self.sandbox.start_process(
                worker_spec(
                    self.root,
                    self.limits,
                    once=False,
                    pristine=self.pristine,
                    hash_seed=CHECK_HASH_SEED,
                )
            )
        except Exception as exc:  # any backend failure means: use fresh processes
            self._break(f"cannot start the warm worker: {exc}")
            return False
        return await self.warm(warm_modules)

    async def warm(self, modules: Sequence[str]) -> bool:
        """Import `modules` in the worker, so that every forked child starts with them."""
        answer = await self._exchange(
            {"op": "warm", "modules": list(modules)}, timeout=WARM_TIMEOUT_SECONDS
        )
        return answer is not None and answer.get("ok") is True and not self.broken

    async def collect(self, request: CollectRequest, *, timeout: float) -> CollectAnswer | None:
        """Open the worker's pytest session; None when the worker broke doing it."""
        answer = await self._checked(
            dict(request), timeout, lambda a: isinstance(a.get("ok"), bool)
        )
        return cast(CollectAnswer, answer) if answer is not None else None

    async def run(self, request: RunRequest, *, timeout: float) -> RunAnswer | None:
        """Serve one run request; None when the worker broke (it is then killed for good)."""
        answer = await self._checked(
            dict(request),
            timeout,
            lambda a: isinstance(a.get("results"), list),
            runner=request.get("runner", "light"),
        )
        return cast(RunAnswer, answer) if answer is not None else None

    async def _checked(
        self,
        message: dict[str, Any],
        timeout: float,
        well_formed: Callable[[dict[str, Any]], bool],
        *,
        runner: RunnerName | None = None,
    ) -> dict[str, Any] | None:
        """The answer to `message` when it has the expected shape and the test files are as they
        were; a run that changed them gets a tampered answer (`runner`), else the worker is
        broken."""
        if await self._tests_changed():
            return None  # something an earlier request left behind changed the tests
        answer = await self._exchange(message, timeout=timeout)
        if answer is None:
            return None
        changed = await self._tests_changed()
        if changed:
            if runner is None:
                return None  # collecting changed the tests: nothing it says can be trusted
            return dict(tampered_answer(answer.get("id"), changed, runner))
        if not well_formed(answer):
            await self._kill()
            self._break("warm worker sent a malformed answer")
            return None
        return answer

    async def _exchange(self, message: dict[str, Any], *, timeout: float) -> dict[str, Any] | None:
        """Send one message, read its answer; None when the worker broke."""
        if self.broken or self.process is None:
            return None
        async with self._lock:
            self._next_id += 1
            message = dict(message, id=self._next_id)
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

    async def _tests_changed(self) -> tuple[str, ...]:
        """Test files the worker's children changed (restored now); the worker is then killed,
        with whatever its children left running, and never used again."""
        changed = self.process.changed_files() if self.process is not None else ()
        if changed:
            await self._kill()
            self._break(f"a candidate changed the test files {', '.join(changed)}")
        return changed

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
