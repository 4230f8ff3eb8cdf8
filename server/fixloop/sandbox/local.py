"""The `local` backend: a limited subprocess in a scratch copy of the project. Unprotected.

It gives the run its own session, resource limits, an allow-listed environment, empty stdin, a
fresh HOME and TMPDIR, and a scratch copy of the project as working directory, so an ordinary
broken program cannot touch the user's workspace. When fixloop runs as root, the program runs as
an unprivileged uid of its own (`runas`) that owns the scratch copy, so it cannot read fixloop's
environment, `~/.ssh` or other root-only files. It does not isolate the file
system, the network or other processes: hostile code can still read what every user may read,
use the network, and (when fixloop is not root) read and write anything the server's user can.
Every result says so (`protected=False` and a note); the CLI and the editor warn about it.
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
from fixloop.sandbox.outcome import Outcome, classify
from fixloop.sandbox.process import run_tree
from fixloop.sandbox.runas import give_tree, hand_over, let_pass, run_identity
from fixloop.sandbox.runenv import allowed_env, default_python, interpreter_dirs, run_variables
from fixloop.sandbox.scratchowner import ScratchOwner
from fixloop.sandbox.warmpython import InterpreterPool, profile_of
from fixloop.sandbox.workspace import ScratchTree, check_overlay_path
from fixloop.sandbox.zygote import SUPERVISED, ZygotePool, rlimits_for

UNPROTECTED_NOTE = (
    "local sandbox: UNPROTECTED - the program ran with your user's rights and could read or "
    "change your files and use the network; choose bwrap or docker to contain it"
)
UNPRIVILEGED_NOTE = (
    "local sandbox: UNPROTECTED - the program ran as unprivileged uid {uid}: it could not read "
    "root's files, but could read what every user may read and use the network; choose bwrap "
    "or docker to contain it"
)
STILL_ROOT_NOTE = (
    "local sandbox: UNPROTECTED - the program ran as root ({why}) and could read or change "
    "every file and use the network; choose bwrap or docker to contain it"
)


class LocalSandbox(ScratchOwner):
    """Runs programs directly on this machine, with limits but without isolation."""

    name = "local"
    protected = False

    def __init__(self, python: str | None = None) -> None:
        self.python = python or default_python()
        super().__init__("fixloop-local-")
        self.identity, why_root = run_identity(self.python, self._base)
        if self.identity is not None:
            self.note = UNPRIVILEGED_NOTE.format(uid=self.identity.uid)
            let_pass(self._base, self._base)  # the base is 0700: let the run's uid through
        elif why_root:
            self.note = STILL_ROOT_NOTE.format(why=why_root)
        else:
            self.note = UNPROTECTED_NOTE
        # A shell stays as the program's parent: a program that kills its parent spares us.
        self._zygotes = ZygotePool(launch=SUPERVISED)
        self._clean_runs: list[Path] = []
        # Warm interpreters (for a shared sandbox) wait with an empty HOME and TMPDIR of their
        # own; BOOT gives each run its own. Not under a run identity: that uid is every run's,
        # so one run's code could reach the interpreter waiting for the next. Without one the
        # program has the server's own rights, and a waiting interpreter exposes nothing more.
        self._interpreters: InterpreterPool | None = None
        if self.identity is None:
            waiting = self._base / "waiting"
            waiting.mkdir()
            self._interpreters = InterpreterPool(
                start_env={"HOME": str(waiting), "TMPDIR": str(waiting)}
            )
        reap_stale()

    def _scratch_dirs(self) -> tuple[Path, Path]:
        """An empty HOME and TMPDIR for one run (reused when the last run left them empty)."""
        if self._clean_runs:
            run_dir = self._clean_runs.pop()
        else:
            run_dir = self._base / "runs" / uuid.uuid4().hex[:12]
            (run_dir / "home").mkdir(parents=True)
            (run_dir / "tmp").mkdir()
            if self.identity is not None:
                let_pass(run_dir, self._base)
                hand_over(run_dir / "home", self.identity)
                hand_over(run_dir / "tmp", self.identity)
        return run_dir / "home", run_dir / "tmp"

    async def _open_tree(self, tree: ScratchTree) -> None:
        """The project copy, handed to the run's uid (a reset copy comes back as root's)."""
        if self.identity is None:
            return
        let_pass(tree.path, self._base)
        if tree.small:
            give_tree(tree.path, self.identity)
        else:
            await asyncio.to_thread(give_tree, tree.path, self.identity)

    def _open_packages(self, spec: RunSpec) -> None:
        """A task's package directory, handed to the run's uid so `pip install` can write it
        (the task creates it as fixloop's user, private to that user)."""
        if self.identity is None or spec.packages is None:
            return
        let_pass(spec.packages.parent, spec.packages.parent)
        give_tree(spec.packages, self.identity)

    async def _release_scratch(self, run_dir: Path) -> None:
        """Keep an untouched scratch pair for the next run; delete anything else off the loop."""
        try:
            if not any(os.scandir(run_dir / "home")) and not any(os.scandir(run_dir / "tmp")):
                self._clean_runs.append(run_dir)
                return
        except OSError:
            pass
        await asyncio.to_thread(shutil.rmtree, run_dir, True)

    def _env(self, spec: RunSpec, home: str, tmp: str, marker: str) -> dict[str, str]:
        packages = str(spec.packages) if spec.packages else None
        return allowed_env(
            home=home,
            tmp=tmp,
            path_dirs=interpreter_dirs(self.python),
            extra=run_variables(spec, packages),
            marker=marker,
        )

    def command(self, spec: RunSpec) -> list[str]:
        argv = [self.python, *spec.argv] if spec.use_python else list(spec.argv)
        return argv if self.identity is None else [*self.identity.command_prefix(), *argv]

    async def run(self, spec: RunSpec) -> RunResult:
        for relative in spec.overlay:
            check_overlay_path(relative)
        async with self._pool(spec.root).tree(spec.overlay) as tree:
            tree.changed_pristine(spec.pristine)  # whatever an earlier run left: restored
            await self._open_tree(tree)
            self._open_packages(spec)
            home, tmp = self._scratch_dirs()
            interpreters = self._interpreters if self.shared else None
            try:
                outcome: Outcome = await run_tree(
                    self.command(spec),
                    cwd=tree.path,
                    env=self._env(spec, str(home), str(tmp), uuid.uuid4().hex),
                    limits=spec.limits,
                    stdin=spec.stdin,
                    pool=self._zygotes,
                    interpreters=interpreters,
                )
            finally:
                await self._release_scratch(home.parent)
                self._zygotes.refill()
                if interpreters is not None:
                    interpreters.refill()
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

    async def warm(self, spec: RunSpec) -> None:
        self.share()
        async with self._pool(spec.root).tree({}) as tree:
            await self._open_tree(tree)
        self._zygotes.prepare_next()
        if self._interpreters is None:
            return
        # Warm interpreters for the script runs such a spec makes (Run File).
        env = self._env(spec, "", "", "")  # HOME, TMPDIR and marker are the run's own
        script = replace(spec, argv=("warm.py",), use_python=True)
        self._interpreters.expect(profile_of(self.command(script), env, rlimits_for(spec.limits)))
        self._interpreters.refill()

    async def _close(self) -> None:
        if self._interpreters is not None:
            await self._interpreters.close()
        await super()._close()

    async def start_process(self, spec: RunSpec) -> SandboxProcess:
        from fixloop.sandbox.longlived import start_long_lived

        pool = self._pool(spec.root)
        tree = pool.take()
        await asyncio.to_thread(tree.prepare, spec.overlay)
        tree.changed_pristine(spec.pristine)
        await self._open_tree(tree)
        self._open_packages(spec)
        home, tmp = self._scratch_dirs()
        env = self._env(spec, str(home), str(tmp), uuid.uuid4().hex)

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
