"""The `bwrap` backend: bubblewrap namespaces around the same limited process as `local`.

The program sees a read-only system (/usr and the library and binary directories, a few /etc
essentials), the read-only interpreter prefixes (base and virtual environment, nothing else from
$HOME), a read-only scratch copy of the project mounted at the project's real path (so
tracebacks name real paths and sibling imports work), and a size-limited tmpfs at /tmp that
also holds HOME. All namespaces are unshared (network too, unless asked for), it runs as an
unprivileged uid with every capability dropped, in a new session, and dies with its parent;
bubblewrap always sets no-new-privileges. Limits and cgroup come from `process`, the
environment from `runenv`.
Setting up the namespaces and mounts costs several milliseconds, so it happens before the run:
each zygote pool here launches bubblewrap around a waiting shell for one (tree, network, /tmp
size) combination, and a run's order goes to a spare that is already inside its sandbox. Each
run still gets a sandbox of its own: a spare serves one run and is gone with it.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import uuid
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from fixloop.sandbox.base import (
    MIB,
    RunResult,
    RunSpec,
    SandboxProcess,
    SandboxUnavailable,
    track_process,
)
from fixloop.sandbox.cgroup import reap_stale
from fixloop.sandbox.outcome import classify, sandbox_error
from fixloop.sandbox.process import run_tree
from fixloop.sandbox.runenv import allowed_env, default_python, interpreter_dirs, run_variables
from fixloop.sandbox.scratchowner import ScratchOwner
from fixloop.sandbox.warmpython import InterpreterPool, profile_of
from fixloop.sandbox.workspace import ScratchTree, check_overlay_path
from fixloop.sandbox.zygote import (
    SHELL,
    ZYGOTE_SCRIPT,
    ZygotePool,
    exec_line,
    rlimits_for,
)

SANDBOX_UID = 65534
PACKAGES_MOUNT = "/fixloop-packages"  # where a run's package directory appears
_NAMESPACES = (
    "--unshare-user",
    "--unshare-ipc",
    "--unshare-pid",
    "--unshare-uts",
    "--unshare-cgroup-try",
)
_SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
# Every mount costs time on every run, so only what programs need; name lookup and TLS
# files only when the network is on.
_ETC_FILES = ("/etc/ld.so.cache", "/etc/localtime")
_NETWORK_ETC = (
    "/etc/resolv.conf",
    "/etc/hosts",
    "/etc/gai.conf",
    "/etc/nsswitch.conf",
    "/etc/ssl",
    "/etc/ca-certificates",
)
_DEVICES = ("/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom")
_PASSWD = f"sandbox:x:{SANDBOX_UID}:{SANDBOX_UID}:sandbox:/tmp/home:/bin/sh\n"
_GROUP = f"sandbox:x:{SANDBOX_UID}:\n"


@lru_cache(maxsize=1)
def _probe() -> str | None:
    """None when bubblewrap works here, else the reason and the remedy."""
    binary = shutil.which("bwrap")
    if binary is None:
        return (
            "bwrap sandbox unavailable: bubblewrap is not installed "
            "(install it with `apt-get install bubblewrap`)"
        )
    try:
        probe = subprocess.run(
            # Exactly the namespaces runs use (`--unshare-all` would quietly skip the user one).
            [
                binary,
                *_NAMESPACES,
                "--unshare-net",
                "--die-with-parent",
                "--ro-bind",
                "/",
                "/",
                "true",
            ],
            capture_output=True,
            timeout=10,
            env={"PATH": "/usr/bin:/bin"},
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"bwrap sandbox unavailable: running bwrap failed ({exc})"
    if probe.returncode != 0:
        detail = probe.stderr.decode(errors="replace").strip() or f"exit {probe.returncode}"
        return (
            f"bwrap sandbox unavailable: bubblewrap cannot create namespaces here ({detail}); "
            "enable unprivileged user namespaces (sysctl -w kernel.unprivileged_userns_clone=1 "
            "and user.max_user_namespaces > 0) or, in a container, allow them (e.g. seccomp/"
            "AppArmor profile), or choose --sandbox docker"
        )
    return None


@lru_cache(maxsize=8)
def _interpreter_paths(python: str) -> tuple[str, ...]:
    """Directories the interpreter needs: its prefixes (venv and base) and its own directory."""
    try:
        out = subprocess.run(
            [python, "-I", "-S", "-c", "import sys; print(sys.prefix); print(sys.base_prefix)"],
            capture_output=True,
            text=True,
            timeout=20,
            env={"PATH": "/usr/bin:/bin"},
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SandboxUnavailable(f"cannot run the interpreter {python}: {exc}") from exc
    # -S skips site, so a venv's prefix is found from pyvenv.cfg next to the executable.
    paths = {line.strip() for line in out.stdout.splitlines() if line.strip()}
    venv_cfg = Path(python).parent.parent / "pyvenv.cfg"
    if venv_cfg.exists():
        paths.add(str(venv_cfg.parent))
    paths.add(str(Path(python).parent))
    paths.add(str(Path(os.path.realpath(python)).parent))
    wanted = sorted(p for p in paths if not p.startswith(_SYSTEM_DIRS) and p != "/")
    # A directory inside another bound one is visible already: one mount each, no more.
    return tuple(p for p in wanted if not any(p != q and Path(p).is_relative_to(q) for q in wanted))


class BwrapSandbox(ScratchOwner):
    """Runs each program in fresh bubblewrap namespaces."""

    name = "bwrap"
    protected = True

    def __init__(self, python: str) -> None:
        self.python = python
        self._binds = _interpreter_paths(python)
        # The copies are read-only inside the sandbox (its writes go to its own sized tmpfs),
        # so they can live in RAM, where creating and removing files costs microseconds.
        shm = "/dev/shm"
        super().__init__("fixloop-bwrap-", shm if os.access(shm, os.W_OK | os.X_OK) else None)
        # One pool of launched zygotes per (tree, network, /tmp size, package directory).
        self._launched: dict[tuple[str, bool, int, str], tuple[int, ZygotePool]] = {}
        self._interpreters: dict[tuple[str, bool, int, str], tuple[int, ZygotePool]] = {}
        self._etc = {False: self._make_etc("etc", _ETC_FILES)}  # the networked one on demand
        reap_stale()

    def _make_etc(self, name: str, wanted: tuple[str, ...]) -> Path:
        """A private /etc with only what programs need, bound with one mount per run instead
        of one per file (plus `alternatives`, hundreds of symlinks, bound as it is)."""
        etc = self._base / name
        etc.mkdir()
        (etc / "alternatives").mkdir()  # mount point: the real one is bound read-only
        (etc / "passwd").write_text(_PASSWD)
        (etc / "group").write_text(_GROUP)
        for source in map(Path, wanted):
            target = etc / source.name
            try:
                if source.is_dir():
                    shutil.copytree(source, target, symlinks=True)
                elif source.exists():
                    shutil.copy2(source, target)
            except OSError:
                continue  # unreadable or vanished: the program simply does not get it
        return etc

    @classmethod
    async def open(cls, python: str | None = None) -> BwrapSandbox:
        problem = await asyncio.to_thread(_probe)
        if problem is not None:
            raise SandboxUnavailable(problem)
        return await asyncio.to_thread(cls, python or default_python())

    def wrap(self, spec: RunSpec, tree_path: Path) -> list[str]:
        """The bubblewrap command line around `tree_path` seen at the project's real path,
        ending in `--`: the command to confine follows it."""
        root = str(spec.root.resolve())
        namespaces = list(_NAMESPACES)
        if not spec.network:  # a run that asked for the network stays on the host's
            namespaces.append("--unshare-net")
        args = [
            "bwrap",
            *namespaces,
            "--die-with-parent",
            "--new-session",
            "--uid",
            str(SANDBOX_UID),
            "--gid",
            str(SANDBOX_UID),
            "--cap-drop",
            "ALL",
        ]
        for directory in _SYSTEM_DIRS:
            if os.path.islink(directory):
                args += ["--symlink", os.readlink(directory), directory]
            elif os.path.isdir(directory):
                args += ["--ro-bind", directory, directory]
        if spec.network not in self._etc:
            self._etc[True] = self._make_etc("etc-net", _ETC_FILES + _NETWORK_ETC)
        args += [
            "--ro-bind",
            str(self._etc[spec.network]),
            "/etc",
            "--ro-bind-try",
            "/etc/alternatives",
            "/etc/alternatives",
            "--proc",
            "/proc",
            "--dir",
            "/dev",
        ]
        for device in _DEVICES:  # a few nodes instead of a whole --dev (no pty, no shm needed)
            args += ["--dev-bind", device, device]
        args += [
            "--size",
            str(spec.limits.scratch_mb * MIB),
            "--tmpfs",
            "/tmp",
            "--dir",
            "/tmp/home",
        ]
        for path in self._binds:
            args += ["--ro-bind", path, path]
        if spec.packages is not None:  # the caller's package directory, writable
            args += ["--bind", str(spec.packages), PACKAGES_MOUNT]
        args += ["--ro-bind", str(tree_path), root, "--chdir", root, "--"]
        return args

    def _command(self, spec: RunSpec) -> list[str]:
        return [self.python, *spec.argv] if spec.use_python else list(spec.argv)

    def _pool_for(self, spec: RunSpec, tree: ScratchTree, *, warm: bool = False) -> ZygotePool:
        """The pool whose zygotes (with `warm`, interpreters) wait inside a sandbox made for
        this tree and these limits."""
        key = (str(tree.path), spec.network, spec.limits.scratch_mb, str(spec.packages or ""))
        launched = self._interpreters if warm else self._launched
        known = launched.get(key)
        if known is not None and known[0] == tree.generation:
            return known[1]
        if known is not None:  # the tree was made again: spares mount the deleted copy
            stale = asyncio.ensure_future(known[1].close())
            _CLOSING.add(stale)
            stale.add_done_callback(_CLOSING.discard)
        pool: ZygotePool
        if warm:
            # HOME and TMPDIR are the same for every run here; only the marker differs.
            pool = InterpreterPool(
                wrap=self.wrap(spec, tree.path),
                start_env={"HOME": "/tmp/home", "TMPDIR": "/tmp"},
            )
        else:
            pool = ZygotePool(
                eager=self.shared,
                launch=exec_line([*self.wrap(spec, tree.path), SHELL, "-c", ZYGOTE_SCRIPT]),
            )
        launched[key] = (tree.generation, pool)
        return pool

    def _interpreters_for(self, spec: RunSpec, tree: ScratchTree) -> InterpreterPool | None:
        """Warm interpreters for this tree, for a sandbox shared by a long-lived process."""
        if not self.shared:
            return None
        pool = self._pool_for(spec, tree, warm=True)
        assert isinstance(pool, InterpreterPool)
        return pool

    def _env(self, spec: RunSpec) -> dict[str, str]:
        return allowed_env(
            home="/tmp/home",
            tmp="/tmp",
            path_dirs=interpreter_dirs(self.python),
            extra=run_variables(spec, PACKAGES_MOUNT if spec.packages else None),
            marker=uuid.uuid4().hex,
        )

    async def run(self, spec: RunSpec) -> RunResult:
        for relative in spec.overlay:
            check_overlay_path(relative)
        async with self._pool(spec.root).tree(spec.overlay) as tree:
            # Read-only inside the sandbox; compared all the same, as on `local`.
            tree.changed_pristine(spec.pristine)
            zygotes = self._pool_for(spec, tree)
            interpreters = self._interpreters_for(spec, tree)
            try:
                outcome = await run_tree(
                    self._command(spec),
                    cwd=spec.root.resolve(),
                    env=self._env(spec),
                    limits=spec.limits,
                    stdin=spec.stdin,
                    pool=zygotes,
                    interpreters=interpreters,
                )
            finally:
                zygotes.refill()
                if interpreters is not None:
                    interpreters.refill()
            tampered = tree.changed_pristine(spec.pristine)
        if outcome.returncode == 1 and outcome.stderr.startswith("bwrap: "):
            # bubblewrap itself failed to set the sandbox up: nothing of the program ran.
            return sandbox_error(self.name, f"bwrap sandbox failed: {outcome.stderr.strip()}")
        result = classify(
            outcome,
            sandbox=self.name,
            roots=[str(spec.root.resolve())],
            protected=True,
            signal_offset=128,
        )
        return replace(result, tampered=tampered) if tampered else result

    def share(self) -> None:
        super().share()
        for _, pool in self._launched.values():
            pool.eager = True

    async def warm(self, spec: RunSpec) -> None:
        self.share()
        async with self._pool(spec.root).tree({}) as tree:
            pool = self._pool_for(spec, tree)
            interpreters = self._interpreters_for(spec, tree)
        pool.prepare_next()
        if interpreters is not None:  # for the script runs such a spec makes (Run File)
            script = replace(spec, argv=("warm.py",), use_python=True)
            interpreters.expect(
                profile_of(self._command(script), self._env(spec), rlimits_for(spec.limits))
            )
            interpreters.refill()

    async def start_process(self, spec: RunSpec) -> SandboxProcess:
        from fixloop.sandbox.longlived import start_long_lived

        pool = self._pool(spec.root)
        tree = pool.take()
        await asyncio.to_thread(tree.prepare, spec.overlay)
        tree.changed_pristine(spec.pristine)
        process = await start_long_lived(
            self._command(spec),
            cwd=spec.root.resolve(),
            env=self._env(spec),
            limits=spec.limits,
            on_exit=lambda: pool.give_back(tree),
            pool=self._pool_for(spec, tree),
            watch=lambda: tree.changed_pristine(spec.pristine),
        )
        track_process(self._processes, process)
        return process

    async def close(self) -> None:
        launched = [*self._launched.values(), *self._interpreters.values()]
        self._launched, self._interpreters = {}, {}
        for _, pool in launched:
            await pool.close()
        if _CLOSING:
            await asyncio.gather(*list(_CLOSING), return_exceptions=True)
        await super().close()


_CLOSING: set[asyncio.Future[None]] = set()
