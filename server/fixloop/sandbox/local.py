"""The `local` backend: a limited subprocess in a scratch copy of the project. Unprotected.

It gives the run its own session, resource limits, an allow-listed environment, empty stdin, a
fresh HOME and TMPDIR, and a scratch copy of the project as working directory, so an ordinary
broken program cannot touch the user's workspace. It does not isolate the file system, the
network or other processes of the same user: hostile code can still read and write anything the
server's user can. Every result says so (`protected=False` and a note); the CLI and the editor
warn about it.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from dataclasses import replace
from pathlib import Path

from fixloop.sandbox.base import RunResult, RunSpec, SandboxProcess, track_process
from fixloop.sandbox.cgroup import reap_stale
from fixloop.sandbox.process import (
    Outcome,
    allowed_env,
    classify,
    default_python,
    interpreter_dirs,
    run_tree,
)
from fixloop.sandbox.workspace import ScratchOwner, check_overlay_path
from fixloop.sandbox.zygote import SUPERVISED, ZygotePool

UNPROTECTED_NOTE = (
    "local sandbox: UNPROTECTED - the program ran with your user's rights and could read or "
    "change your files and use the network; choose bwrap or docker to contain it"
)


class LocalSandbox(ScratchOwner):
    """Runs programs directly on this machine, with limits but without isolation."""

    name = "local"
    protected = False
    note = UNPROTECTED_NOTE

    def __init__(self, python: str | None = None) -> None:
        self.python = python or default_python()
        super().__init__("fixloop-local-")
        # A shell stays as the program's parent: a program that kills its parent spares us.
        self._zygotes = ZygotePool(launch=SUPERVISED)
        self._clean_runs: list[Path] = []
        reap_stale()

    def _scratch_dirs(self) -> tuple[Path, Path]:
        """An empty HOME and TMPDIR for one run (reused when the last run left them empty)."""
        if self._clean_runs:
            run_dir = self._clean_runs.pop()
        else:
            run_dir = self._base / "runs" / uuid.uuid4().hex[:12]
            (run_dir / "home").mkdir(parents=True)
            (run_dir / "tmp").mkdir()
        return run_dir / "home", run_dir / "tmp"

    async def _release_scratch(self, run_dir: Path) -> None:
        """Keep an untouched scratch pair for the next run; delete anything else off the loop."""
        try:
            if not any(os.scandir(run_dir / "home")) and not any(os.scandir(run_dir / "tmp")):
                self._clean_runs.append(run_dir)
                return
        except OSError:
            pass
        await asyncio.to_thread(shutil.rmtree, run_dir, True)

    def command(self, spec: RunSpec) -> list[str]:
        return [self.python, *spec.argv] if spec.use_python else list(spec.argv)

    async def run(self, spec: RunSpec) -> RunResult:
        for relative in spec.overlay:
            check_overlay_path(relative)
        async with self._pool(spec.root).tree(spec.overlay) as tree:
            tree.changed_pristine(spec.pristine)  # whatever an earlier run left: restored
            home, tmp = self._scratch_dirs()
            try:
                outcome: Outcome = await run_tree(
                    self.command(spec),
                    cwd=tree.path,
                    env=allowed_env(
                        home=str(home),
                        tmp=str(tmp),
                        path_dirs=interpreter_dirs(self.python),
                        extra=spec.env,
                        marker=uuid.uuid4().hex,
                    ),
                    limits=spec.limits,
                    stdin=spec.stdin,
                    pool=self._zygotes,
                )
            finally:
                await self._release_scratch(home.parent)
            tampered = tree.changed_pristine(spec.pristine)
        # Show the user's real paths, not the scratch copy's, in output and tracebacks.
        scratch, real = str(tree.path), str(spec.root.resolve())
        outcome = replace(
            outcome,
            stdout=outcome.stdout.replace(scratch, real),
            stderr=outcome.stderr.replace(scratch, real),
        )
        result = classify(
            outcome,
            sandbox=self.name,
            roots=[real],
            protected=False,
            note=self.note,
            signal_offset=128,
        )
        return replace(result, tampered=tampered) if tampered else result

    async def start_process(self, spec: RunSpec) -> SandboxProcess:
        from fixloop.sandbox.longlived import start_long_lived

        pool = self._pool(spec.root)
        tree = pool.take()
        await asyncio.to_thread(tree.prepare, spec.overlay)
        tree.changed_pristine(spec.pristine)
        home, tmp = self._scratch_dirs()
        env = allowed_env(
            home=str(home),
            tmp=str(tmp),
            path_dirs=interpreter_dirs(self.python),
            extra=spec.env,
            marker=uuid.uuid4().hex,
        )

        def cleanup() -> None:
            pool.give_back(tree)
            shutil.rmtree(home.parent, ignore_errors=True)

        process = await start_long_lived(
            self.command(spec),
            cwd=tree.path,
            env=env,
            limits=spec.limits,
            on_exit=cleanup,
            pool=self._zygotes,
            watch=lambda: tree.changed_pristine(spec.pristine),
        )
        track_process(self._processes, process)
        return process
