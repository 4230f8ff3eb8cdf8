"""Interpreters started ahead of a run that then become `python FILE ARGS...` in place.

Most of a short Run File is the interpreter's own start (about 10 ms: loading the runtime,
`site`, the encodings). A zygote (see `zygote`) already takes the fork, the cgroup and the
sandbox's namespaces off the run's path; a warm interpreter takes the interpreter's start off it
too. It is a zygote whose launch line sets the run's limits and environment and then execs
`python -c BOOT`: the interpreter starts exactly as it would for the run and waits on stdin.
The run's order (working directory, `sys.argv`, environment) arrives length-prefixed on stdin,
so whatever follows is the program's own stdin. BOOT then does what the interpreter does for a
script: `sys.argv`, `sys.path[0]` (the script's real directory), a fresh `__main__` namespace
with `__file__` and a `SourceFileLoader`, the source compiled under its absolute path; an
uncaught exception is printed by `sys.excepthook` without BOOT's frame and exits 1. Anything
BOOT cannot reproduce exactly (the file cannot be read or compiled, so the interpreter's own
message must show) makes it exec the real interpreter instead. What stays visible to a
program: its stack has two more frames below its module (BOOT's), `sys.orig_argv` and
`/proc/self/cmdline` show `-c`, and `/proc/self/environ` shows the environment the interpreter
started with. A spare fits a run only when everything the interpreter reads at start is the
same (every variable except the per-run HOME, TMPDIR and marker, the rlimits, the
interpreter); otherwise the run takes an ordinary zygote. Only sandboxes shared by a
long-lived process use warm interpreters: a one-off run would pay for a spare it never uses.
A waiting interpreter must be out of reach of other runs' code: bubblewrap starts each in
namespaces of its own, docker as a uid of its own (`dockerspares`; there BOOT first waits on a
fifo, given as its one argument, until the wrapper shell has read its own order line), and
`local` keeps them only when its runs have the server's own rights (with an unprivileged run
uid, every run shares that uid, so it uses ordinary zygotes).
"""

from __future__ import annotations

import asyncio
import os
import shlex
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from fixloop.sandbox.runenv import MARKER_VAR
from fixloop.sandbox.zygote import (
    SHELL,
    Zygote,
    ZygotePool,
    export_pairs,
    limit_steps,
    shell_word,
    start_zygote,
)

# Variables that differ from run to run and that the interpreter does not read while it starts
# (PYTHONNOUSERSITE is set, so HOME does not place a user site): BOOT sets them for the program.
PER_RUN = frozenset({"HOME", "TMPDIR", MARKER_VAR})

# A waiting interpreter's process name (/proc/<pid>/comm): it takes back the interpreter's own
# name when its order comes, so a process that still has this name has never run a program.
WAITING_NAME = "fixloop-spare"

# Runs as `python -c BOOT`. It must work on every Python 3 a user may choose, and must import
# nothing a project file could shadow: `sys` is built in and `os` is loaded by `site`; the
# current directory leaves `sys.path` before anything is imported.
BOOT = r"""
import sys
if sys.path and sys.path[0] == "" and not getattr(sys.flags, "safe_path", False):
    del sys.path[0]
import os


def _fixloop_boot():
    import os
    import sys

    def rename(name):
        try:
            with open("/proc/self/comm", "w") as handle:
                handle.write(name)
        except OSError:
            pass

    def read(count):
        data = b""
        while len(data) < count:
            chunk = os.read(0, count - len(data))
            if not chunk:
                os._exit(0)
            data += chunk
        return data

    try:
        with open("/proc/self/comm") as handle:
            own_name = handle.read().rstrip("\n")
    except OSError:
        own_name = ""
    if own_name:
        rename(WAITING_NAME)
    if len(sys.argv) > 1:  # a fifo to wait on first: until it speaks, the shell reads stdin
        go = os.open(sys.argv[1], os.O_RDONLY)
        os.read(go, 2)
        os.close(go)
    parts = [os.fsdecode(part) for part in read(int(read(8), 16)).split(b"\0")]
    if own_name:
        rename(own_name)
    cwd, count = parts[0], int(parts[1])
    argv = parts[2 : 2 + count]
    os.chdir(cwd)
    for part in parts[2 + count :]:  # the per-run variables; every other one is already right
        name, is_set, value = part.partition("=")
        if is_set:
            os.environ[name] = value
        else:
            os.environ.pop(name, None)
    path = argv[1]
    try:
        with open(path, "rb") as handle:
            source = handle.read()
        full = os.path.abspath(path)
        code = compile(source, full, "exec", dont_inherit=True)
    except BaseException:
        os.execvp(argv[0], argv)
    del source
    sys.argv[:] = argv[1:]
    if not getattr(sys.flags, "safe_path", False):
        sys.path.insert(0, os.path.dirname(os.path.realpath(path)))
    namespace = sys.modules["__main__"].__dict__
    builtins = namespace["__builtins__"]
    loader = sys.modules["_frozen_importlib_external"].SourceFileLoader("__main__", full)
    namespace.clear()
    namespace.update(
        __name__="__main__",
        __doc__=None,
        __package__=None,
        __loader__=loader,
        __spec__=None,
        __annotations__={},
        __builtins__=builtins,
        __file__=full,
        __cached__=None,
    )
    # CPython ends a program that an uncaught KeyboardInterrupt stopped by SIGINT, after the
    # exit handlers of the program: registered first, this one runs after them.
    import _signal
    import atexit

    interrupted = []

    def end_as_interrupted():
        if not any(interrupted):
            return
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except BaseException:
                pass
        _signal.signal(_signal.SIGINT, _signal.SIG_DFL)
        os.kill(os.getpid(), _signal.SIGINT)

    atexit.register(end_as_interrupted)
    try:
        exec(code, namespace)
    except SystemExit:
        raise
    except BaseException as error:
        kind, trace = type(error), error.__traceback__
        trace = trace.tb_next if trace is not None else None
        sys.excepthook(kind, error.with_traceback(trace), trace)
        interrupted.append(isinstance(error, KeyboardInterrupt))
        raise SystemExit(1)
    finally:
        namespace.pop("__file__", None)
        namespace.pop("__cached__", None)


_fixloop_boot()
""".replace("WAITING_NAME", f'"{WAITING_NAME}"')


@dataclass(frozen=True)
class Profile:
    """What an interpreter reads while it starts: a spare fits only a run of the same profile."""

    python: str  # the interpreter, the run command's first word
    env: tuple[tuple[str, str], ...]  # every variable but the per-run ones, sorted
    rlimits: tuple[tuple[str, int, int], ...]


def profile_of(
    command: Sequence[str], env: Mapping[str, str], rlimits: Sequence[tuple[str, int, int]]
) -> Profile:
    return Profile(
        command[0],
        tuple(sorted((k, v) for k, v in env.items() if k not in PER_RUN)),
        tuple(rlimits),
    )


def is_script_run(command: Sequence[str]) -> bool:
    """Is `command` an interpreter, then a Python file and its arguments (`python prog.py ...`)?"""
    script = command[1] if len(command) > 1 else ""
    return script.endswith(".py") and not script.startswith("-")


def order_bytes(python_argv: Sequence[str], *, cwd: str, env: Mapping[str, str]) -> bytes:
    """What BOOT reads: an 8-digit hex length, then NUL-separated working directory, argument
    count, `python_argv` (interpreter, script, arguments), and each per-run variable as
    NAME=value, or NAME alone when the run does not have it. The others are the ones the
    interpreter started with (a spare fits a run only then)."""
    variables = [f"{name}={env[name]}" if name in env else name for name in sorted(PER_RUN)]
    words = [cwd, str(len(python_argv)), *python_argv, *variables]
    payload = b"\0".join(os.fsencode(word) for word in words)
    return b"%08x" % len(payload) + payload


def inner_line(
    profile: Profile, marker: str, start_env: Mapping[str, str], *, quote: Callable[[str], str]
) -> str:
    """Shell steps that set the limits and environment, then exec the waiting interpreter;
    `quote` quotes a word for the shell that runs them."""
    env = {**dict(profile.env), **start_env, MARKER_VAR: marker}
    steps = [*limit_steps(profile.rlimits)]
    steps += [f"export {name}={quote(value)}" for name, value in export_pairs(env)]
    steps.append("exec " + " ".join(quote(word) for word in (profile.python, "-c", BOOT)))
    return "; ".join(steps)


class InterpreterPool(ZygotePool):
    """Warm interpreters for the runs of one sandbox (one tree, for bwrap).

    `wrap` is the bubblewrap command line (ending in `--`) that each spare starts inside, or
    empty for `local`, whose spares wait under a supervising shell as its zygotes do.
    `start_env` gives HOME and TMPDIR for the wait (the run's own are set by BOOT).
    """

    def __init__(self, *, wrap: Sequence[str] = (), start_env: Mapping[str, str]) -> None:
        super().__init__(eager=True)
        self.wrap = tuple(wrap)
        self.start_env = dict(start_env)
        self.wanted: Profile | None = None

    def _launch(self, profile: Profile, marker: str) -> str:
        if self.wrap:  # the inner shell of bubblewrap reads a plain script, raw newlines too
            inner = inner_line(profile, marker, self.start_env, quote=shlex.quote)
            words = (*self.wrap, SHELL, "-c", inner)
            return "exec " + " ".join(shell_word(word) for word in words) + "\n"
        inner = inner_line(profile, marker, self.start_env, quote=shell_word)
        return "exec 3<&0; { " + inner + " <&3 3<&-; } & wait $!; exit $?\n"

    def _start(self) -> asyncio.Future[Zygote]:
        profile = self.wanted
        assert profile is not None, "refill() starts spares only once a profile is expected"
        marker = uuid.uuid4().hex
        launch = self._launch(profile, marker)

        async def start() -> Zygote:
            zygote = await start_zygote(launch=launch)
            zygote.order_for = lambda argv, cwd, env: order_bytes(
                argv, cwd=cwd, env={**env, MARKER_VAR: marker}
            )
            zygote.marker = marker
            return zygote

        return asyncio.ensure_future(start())

    def refill(self) -> None:
        if self.wanted is not None:  # no script run yet: nothing known to start for
            super().refill()

    def expect(self, profile: Profile) -> None:
        """Runs now look like `profile` (the settings changed): spares made for another one
        are ended, and those started from here on are made for this one."""
        if profile == self.wanted:
            return
        self.wanted = profile
        for spare in self._spares:
            self._end_later(spare)
        self._spares = []

    async def take_fitting(
        self,
        command: Sequence[str],
        env: Mapping[str, str],
        rlimits: Sequence[tuple[str, int, int]],
    ) -> Zygote | None:
        """A warm interpreter for `command`, or None when the run cannot use one: not a script
        run, a profile other than the expected one (a run with its own hash seed: the spares
        stay for the runs they fit), or no spare ready (the run never waits for an interpreter
        to start). A pool that `warm()` did not prepare expects its first script run's profile."""
        if not is_script_run(command):
            return None
        profile = profile_of(command, env, rlimits)
        if self.wanted is None:
            self.expect(profile)
        if profile != self.wanted:
            return None
        zygote = await self.take_waiting()
        if zygote is None:
            self.refill()
        return zygote

    def _end_later(self, spare: asyncio.Future[Zygote]) -> None:
        async def end() -> None:
            try:
                zygote = await spare
            except (OSError, asyncio.CancelledError):
                return
            await zygote.discard()

        task = asyncio.ensure_future(end())
        _ENDING.add(task)
        task.add_done_callback(_ENDING.discard)


_ENDING: set[asyncio.Future[None]] = set()
