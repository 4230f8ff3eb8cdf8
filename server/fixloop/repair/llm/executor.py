"""The executor side of a model conversation: run a model-written program in the sandbox.

`ProgramExecutor.run(name, code, shell)` returns the sandbox's `RunResult` plus the files the
program created or changed, identically for every backend. Two ways to run, same answers:
- warm (the default for Python-only programs): a small worker, one per conversation, started
  with `Sandbox.start_process` (ahead of time, as a spare of the shared sandbox, when the
  conversation uses `fixloop.sandbox.shared`), forks one child per program, so a turn costs a
  fork instead of a sandbox set-up plus a fresh interpreter. The child runs in a private copy of the project
  directory, in its own session, with stdout/stderr in capped files and its own wall clock; the
  worker reports exit status, output and produced files as one JSON line.
- cold: one `Sandbox.run` of a runner script (used for allowed shell blocks, and whenever the
  warm worker is unavailable, dies or stops answering; it is then killed and not used again).
Both copy the project when its directory is read-only (bwrap, docker) and list the files the
program produced after a manifest mark, so nothing has to be fetched from inside the sandbox.
The two in-sandbox scripts live in `task_programs`, the host side of the warm worker in
`task_worker`; this module decides, turn by turn, which way a program runs.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import os
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from fixloop.repair.llm.task_programs import (
    MAX_TOTAL_BYTES,
    RUNNER,
    RUNNER_SOURCE,
    SHELL_SCRIPT,
    split_manifest,
)
from fixloop.repair.llm.task_worker import (
    HOST_GRACE_SECONDS,
    WorkerBroken,
    read_line,
    seed_files,
    spare_starter,
    start_worker,
    started_worker,
)
from fixloop.sandbox.base import RunResult, RunSpec, Sandbox, SandboxProcess, Status
from fixloop.settings import Settings

WORKER_WAIT_SECONDS = 0.1  # how long a turn waits for a starting warm worker before running cold


class ProgramExecutor:
    """Runs model-written programs for one conversation; call `close()` at the end.

    With `shared`, the sandbox comes from `fixloop.sandbox.shared` and the warm worker is a
    spare started ahead on an empty project (or started now on one); the conversation's input
    files reach it with the first request instead of through a copy of `root`. `roots_used`
    names the project roots this executor had the sandbox copy.
    """

    def __init__(
        self,
        sandbox: Sandbox,
        root: Path,
        settings: Settings,
        *,
        warm: bool = True,
        shared: bool = False,
        packages: Path | None = None,
    ) -> None:
        from fixloop.execution import limits_for

        self.sandbox = sandbox
        self.root = root
        self.settings = settings
        self.limits = limits_for(settings)
        # The conversation's package directory (see RunSpec.packages). A warm worker starts
        # before the conversation is known and could not see it: such conversations run cold.
        self.packages = packages
        self._pip_problem: str | None = None
        self._warm_wanted = warm and packages is None
        self._shared = shared
        self._worker_start: asyncio.Future[SandboxProcess | None] | None = None
        self._seed: dict[str, str] | None = None  # input files the worker has not received yet
        self.roots_used: set[Path] = set()
        self.warm_runs = 0
        self.cold_runs = 0

    def prepare(self) -> None:
        """Start the warm worker in the background (e.g. while the model writes its first answer)."""
        if not self._warm_wanted or self._worker_start is not None:
            return
        network = self.settings.network
        # FIXLOOP_TASK_SPARE=0: the worker starts with the task, never ahead (issue 12's audit).
        if self._shared and os.environ.get("FIXLOOP_TASK_SPARE") != "0":
            from fixloop.sandbox.shared import take_spare

            _, spare = take_spare(
                self.sandbox, (self.limits, network), spare_starter(self.limits, network)
            )
            if spare is not None:
                seed = seed_files(self.root)
                if seed is not None:
                    self._worker_start, self._seed = spare, seed
                    return
                self._worker_start = (
                    spare  # too much input to send: this conversation needs its own worker
                )
                self._drop_worker_later()
        # Started on the conversation's own project (no spare was ready): cold runs, which use
        # that project too, share its scratch copy with the worker.
        self.roots_used.add(self.root)
        self._worker_start = asyncio.ensure_future(
            start_worker(self.sandbox, self.root, self.limits, network)
        )

    def _drop_worker_later(self) -> None:
        from fixloop.sandbox.shared import defer

        start = self._worker_start
        assert start is not None

        async def drop() -> None:
            process = await start
            if process is not None:
                await process.kill()

        defer(self.sandbox, drop())

    async def run(
        self, script: str, code: str, shell: str | None = None
    ) -> tuple[RunResult, dict[str, bytes], list[str]]:
        if shell is None and self._warm_wanted:
            self.prepare()
            assert self._worker_start is not None
            # A worker that is nearly up is cheaper than a cold run (a fresh sandbox run, which
            # also competes with the starting worker for the CPU); one that is slow to come up is
            # used from the next turn on.
            start = self._worker_start
            if not start.done():
                await asyncio.wait({start}, timeout=WORKER_WAIT_SECONDS)
            worker = started_worker(start)
            if worker is not None:
                try:
                    result = await self._run_warm(worker, script, code)
                    self.warm_runs += 1
                    return result
                except WorkerBroken:
                    await self._drop_worker()
        self.cold_runs += 1
        return await self._run_cold(script, code, shell)

    async def _run_warm(
        self, worker: SandboxProcess, script: str, code: str
    ) -> tuple[RunResult, dict[str, bytes], list[str]]:
        request: dict[str, Any] = {
            "script": script,
            "code": code,
            "timeout": self.limits.wall_seconds,
            "output_bytes": self.limits.output_bytes,
            "file_limit": self.limits.file_size_mb * 1024 * 1024,
        }
        if self._seed is not None:  # once per worker: it keeps them for the later turns
            request["seed"], self._seed = self._seed, None
        try:
            worker.stdin.write(json.dumps(request).encode() + b"\n")
            await worker.stdin.drain()
            line = await asyncio.wait_for(
                read_line(worker, 4 * (self.limits.output_bytes + MAX_TOTAL_BYTES)),
                self.limits.wall_seconds + HOST_GRACE_SECONDS,
            )
            answer: dict[str, Any] = json.loads(line)
            files = {str(k): base64.b64decode(v) for k, v in answer["files"].items()}
            return self._result(answer), files, [str(s) for s in answer["skipped"]]
        except (
            asyncio.TimeoutError,
            ConnectionError,
            ValueError,
            KeyError,
            TypeError,
            binascii.Error,
        ) as error:
            raise WorkerBroken(f"the warm worker failed: {type(error).__name__}") from None

    def _result(self, answer: Mapping[str, Any]) -> RunResult:
        from fixloop.sandbox.tracebacks import parse_traceback

        stderr = str(answer["stderr"])
        error = parse_traceback(stderr, (str(self.root),))
        exit_code = answer["exit_code"]
        if answer["timed_out"]:
            status, limit = Status.TIMEOUT, "wall"
        elif answer["truncated"]:
            status, limit = Status.OUTPUT_LIMIT, "output"
        elif exit_code == 0:
            status, limit = Status.OK, None
        elif error is not None and error.type == "MemoryError":
            status, limit = Status.MEMORY, "memory"
        elif isinstance(exit_code, int) and exit_code < 0:
            status, limit = Status.KILLED, None
        else:
            status, limit = Status.ERROR, None
        return RunResult(
            status=status,
            exit_code=exit_code,
            stdout=str(answer["stdout"]),
            stderr=stderr,
            truncated=bool(answer["truncated"]),
            duration_ms=int(answer["duration_ms"]),
            sandbox=self.sandbox.name,
            error=error,
            limit_hit=limit,
            protected=self.sandbox.protected,
        )

    async def _run_cold(
        self, script: str, code: str, shell: str | None
    ) -> tuple[RunResult, dict[str, bytes], list[str]]:
        self.roots_used.add(self.root)
        overlay = {RUNNER: RUNNER_SOURCE, script: code}
        if shell:
            overlay[SHELL_SCRIPT] = shell
        spec = RunSpec(
            argv=(RUNNER, script),
            root=self.root,
            limits=self.limits,
            overlay=overlay,
            network=self.settings.network,
            packages=self.packages,
        )
        run = await self.sandbox.run(spec)
        stdout, files, skipped = split_manifest(run.stdout)
        return replace(run, stdout=stdout), files, skipped

    async def pip_problem(self) -> str:
        """Why `pip install` cannot work in this sandbox ("" when it can); asked once."""
        if self._pip_problem is None:
            probe = RunSpec(
                argv=("-m", "pip", "--version"),
                root=self.root,
                limits=self.limits,
                network=self.settings.network,
            )
            found = await self.sandbox.run(probe)
            where = (
                f"the docker image {self.settings.docker_image} has no pip (python3 -m pip "
                "fails); choose an image with pip (--image, fixloop.dockerImage)"
                if self.sandbox.name == "docker"
                else "the sandbox's Python has no pip (python -m pip fails)"
            )
            self._pip_problem = "" if found.ok else where
        return self._pip_problem

    async def _drop_worker(self) -> None:
        start = self._worker_start
        worker = started_worker(start)
        self._warm_wanted = False
        if worker is not None:
            await worker.kill()

    async def close(self) -> None:
        if self._worker_start is not None:
            if not self._worker_start.done():
                self._worker_start.cancel()
            try:
                worker = await self._worker_start
            except (asyncio.CancelledError, Exception):
                worker = None
            if worker is not None:
                await worker.kill()
