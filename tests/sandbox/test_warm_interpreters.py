"""Warm interpreters (`sandbox.warmpython`): a shared sandbox runs `python FILE` in an interpreter
started ahead, and the program cannot tell, apart from what the module documents.

Each program runs twice on real local, bubblewrap and docker sandboxes: once on a shared sandbox
(warm interpreters) and once on an unshared one (a fresh interpreter per run), and what the
user sees must be the same, byte for byte: exit code, stdout, stderr with its traceback. A probe
confirms that the shared run did use a warm interpreter (`-c` in `sys.orig_argv`) and the
unshared one did not, so the comparison cannot pass by both taking the old path.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from fixloop.sandbox import RunResult, RunSpec, Sandbox, Status, open_sandbox
from fixloop.sandbox.dockerspares import SPARES
from fixloop.sandbox.warmpython import BOOT, PER_RUN, WAITING_NAME, is_script_run, order_bytes
from proctree import below, describe, poll, waiting_spare

from .conftest import SMALL, skip_docker_if_asked

KINDS = ["local", "bwrap", "docker"]
PROBE = "import sys\nprint('-c' in sys.orig_argv)\n"

# name -> (source, stdin): what a user's script does that start-up could change.
PROGRAMS = {
    "uncaught.py": (
        "def mean(xs):\n    return sum(xs) / len(xs)\n\n\nprint('before')\nprint(mean([]))\n",
        b"",
    ),
    "chained.py": (
        "try:\n    {}['k']\nexcept KeyError as e:\n    raise ValueError('v') from e\n",
        b"",
    ),
    "namespace.py": (
        '"""Doc."""\nimport os, sys\n'
        "print(sorted(globals()), __name__, __doc__, __spec__, __package__, __cached__)\n"
        "print(__file__ == os.path.abspath('namespace.py'), __loader__.name)\n"
        "print(sys.argv, sys.path[0] == os.getcwd(), os.environ['HOME'] != '')\n",
        b"",
    ),
    "sibling.py": ("import helper\nprint(helper.boom.__module__)\nhelper.boom()\n", b""),
    "exits.py": ("import sys\nprint('out')\nsys.exit(3)\n", b""),
    "message.py": ("raise SystemExit('bye')\n", b""),
    "syntax.py": ("def f(:\n    pass\n", b""),
    "stdin.py": ("import sys\nprint(repr(sys.stdin.read()))\n", b"first\nsecond"),
    "atexit_hook.py": (
        "import atexit, sys\natexit.register(lambda: print('at exit'))\n"
        "sys.excepthook = lambda t, v, tb: print('hook', t.__name__, tb.tb_frame.f_code.co_name)\n"
        "raise RuntimeError('r')\n",
        b"",
    ),
    "interrupt.py": (
        "import atexit\natexit.register(lambda: print('exit handler'))\nraise KeyboardInterrupt\n",
        b"",
    ),
    "threads.py": (
        "import threading\n"
        "worker = threading.Thread(target=lambda: print('thread'))\n"
        "worker.start()\nworker.join()\nprint('main')\n",
        b"",
    ),
    "json.py": ("print('the project json module')\n", b""),
    "shadowed.py": ("import json\nprint(json.__file__.endswith('json.py'))\n", b""),
}


@asynccontextmanager
async def _opened(kind: str, shared: bool, root: Path) -> AsyncIterator[Sandbox]:
    skip_docker_if_asked(kind)
    sandbox = await open_sandbox(kind, image=os.environ.get("FIXLOOP_TEST_IMAGE"))
    try:
        if shared:
            await sandbox.warm(RunSpec(argv=(), root=root, limits=SMALL))
        yield sandbox
    finally:
        await sandbox.close()


async def _run(sandbox: Sandbox, root: Path, name: str, **fields: object) -> RunResult:
    return await sandbox.run(RunSpec(argv=(name,), root=root, limits=SMALL, **fields))  # type: ignore[arg-type]


@pytest.fixture
def scripts(project: Path) -> Path:
    for name, (source, _) in PROGRAMS.items():
        (project / name).write_text(source)
    (project / "probe.py").write_text(PROBE)
    return project.resolve()


def keeps(sandbox: Sandbox) -> bool:
    """Does this shared sandbox keep warm interpreters? bwrap and docker always (each waits in
    namespaces or as a uid of its own); local only when its runs have fixloop's own rights (no
    run uid of their own, which every run would share)."""
    return sandbox.name in ("bwrap", "docker") or getattr(sandbox, "identity", None) is None


def _seen(result: RunResult) -> tuple[object, ...]:
    return (result.status, result.exit_code, result.stdout, result.stderr)


@pytest.mark.parametrize("kind", KINDS)
async def test_a_warm_interpreter_runs_a_script_as_a_fresh_interpreter_does(
    kind: str, scripts: Path
) -> None:
    where = scripts / "uncaught.py"  # the fixture's path is resolved already
    async with _opened(kind, True, scripts) as warm, _opened(kind, False, scripts) as cold:
        for name, (_, stdin) in PROGRAMS.items():
            if name == "json.py":
                continue
            expected = await _run(cold, scripts, name, stdin=stdin)
            got = await _run(warm, scripts, name, stdin=stdin)
            assert _seen(got) == _seen(expected), name
            probe_warm = await _run(warm, scripts, "probe.py")
            probe_cold = await _run(cold, scripts, "probe.py")
            assert (probe_warm.stdout, probe_cold.stdout) == (f"{keeps(warm)}\n", "False\n")
        # What the comparison covered is what a user sees: spot-check a few of them.
        uncaught = await _run(warm, scripts, "uncaught.py")
        assert uncaught.stdout == "before\n" and uncaught.exit_code == 1
        assert uncaught.stderr.startswith("Traceback (most recent call last):\n")
        assert f'File "{where}", line 6' in uncaught.stderr
        assert "<string>" not in uncaught.stderr and "_fixloop_boot" not in uncaught.stderr
        assert (await _run(warm, scripts, "exits.py")).exit_code == 3
        assert (
            "'first\\nsecond'"
            in (await _run(warm, scripts, "stdin.py", stdin=b"first\nsecond")).stdout
        )
        # BOOT imported nothing a project file could shadow: the project's json.py wins.
        shadowed = await _run(warm, scripts, "shadowed.py")
        assert shadowed.stdout == "the project json module\nTrue\n"


def _hash_under_seed_7() -> str:
    return subprocess.run(
        [sys.executable, "-c", "print(hash('fixloop'))"],
        env={"PYTHONHASHSEED": "7", "PATH": os.environ["PATH"]},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


@pytest.mark.parametrize("kind", KINDS)
async def test_a_run_that_starts_the_interpreter_differently_gets_a_fresh_one(
    kind: str, scripts: Path
) -> None:
    (scripts / "seeded.py").write_text(
        "import os, sys\nprint('-c' in sys.orig_argv, os.environ.get('PYTHONHASHSEED'), hash('fixloop'))\n"
    )
    seeded = await asyncio.to_thread(_hash_under_seed_7)
    async with _opened(kind, True, scripts) as sandbox:
        warm = f"{keeps(sandbox)}\n"
        assert (await _run(sandbox, scripts, "probe.py")).stdout == warm
        # The hash seed is read at start: a warm interpreter cannot honour a new one.
        result = await _run(sandbox, scripts, "seeded.py", env={"PYTHONHASHSEED": "7"})
        assert result.stdout == f"False 7 {seeded}\n", result
        # Other limits are set before the interpreter starts: a fresh one, under the new limit.
        roomy = replace(SMALL, memory_mb=SMALL.memory_mb * 2)
        spec = RunSpec(argv=("probe.py",), root=scripts, limits=roomy)
        assert (await sandbox.run(spec)).stdout == "False\n"
        (scripts / "grow.py").write_text("blob = bytearray(400 * 1024 * 1024)\nprint('grew')\n")
        grown = await sandbox.run(replace(spec, argv=("grow.py",)))
        assert grown.stdout == "grew\n", grown
        small = await _run(sandbox, scripts, "grow.py")
        assert small.exit_code != 0 and "MemoryError" in small.stderr, small
        # Commands that are not `python FILE` never take a warm interpreter.
        module = await sandbox.run(
            replace(spec, argv=("-c", "import sys; print(sys.orig_argv[1])"))
        )
        assert module.stdout == "-c\n"
        # None of those threw away the spares made for the runs they fit.
        assert (await _run(sandbox, scripts, "probe.py")).stdout == warm


@pytest.mark.parametrize("kind", KINDS)
async def test_new_settings_move_the_warm_interpreters_to_the_runs_they_now_make(
    kind: str, scripts: Path
) -> None:
    roomy = replace(SMALL, memory_mb=SMALL.memory_mb * 2)
    async with _opened(kind, True, scripts) as sandbox:
        warm = f"{keeps(sandbox)}\n"
        assert (await _run(sandbox, scripts, "probe.py")).stdout == warm
        # The settings change: the server warms its sandbox for runs under other limits.
        await sandbox.warm(RunSpec(argv=(), root=scripts, limits=roomy))
        roomy_probe = RunSpec(argv=("probe.py",), root=scripts, limits=roomy)
        assert (await sandbox.run(roomy_probe)).stdout == warm
        assert (await sandbox.run(roomy_probe)).stdout == warm
        # A run under the old limits now gets a fresh interpreter.
        assert (await _run(sandbox, scripts, "probe.py")).stdout == "False\n"
        if kind == "docker":  # and the interpreters started for the old limits are gone
            (container,) = sandbox._containers.values()  # type: ignore[attr-defined]
            assert await poll(lambda: _waiting_in(container) <= SPARES, 5)


def _waiting_in(container: Any) -> int:
    """How many interpreters wait in a docker sandbox's container."""
    _, out = container.exec_run(["sh", "-c", "cat /proc/[0-9]*/comm 2>/dev/null"])
    return int(out.decode().split().count(WAITING_NAME))


@pytest.mark.parametrize("kind", KINDS)
async def test_a_warm_run_stopped_at_its_limits_leaves_the_next_one_warm(
    kind: str, scripts: Path
) -> None:
    (scripts / "spin.py").write_text("print('spinning', flush=True)\nwhile True:\n    pass\n")
    (scripts / "flood.py").write_text("import sys\nwhile True:\n    sys.stdout.write('x' * 4096)\n")
    quick = replace(SMALL, wall_seconds=1.0)
    async with _opened(kind, True, scripts) as sandbox:
        await sandbox.warm(RunSpec(argv=(), root=scripts, limits=quick))
        warm = f"{keeps(sandbox)}\n"
        spin = await sandbox.run(RunSpec(argv=("spin.py",), root=scripts, limits=quick))
        assert spin.status is Status.TIMEOUT and spin.stdout == "spinning\n", spin
        flood = await sandbox.run(RunSpec(argv=("flood.py",), root=scripts, limits=quick))
        assert flood.truncated and len(flood.stdout) <= quick.output_bytes, flood.status
        probe = await sandbox.run(RunSpec(argv=("probe.py",), root=scripts, limits=quick))
        assert (probe.status, probe.stdout) == (Status.OK, warm), probe


async def test_warm_interpreters_end_with_their_sandbox_and_leave_nothing(scripts: Path) -> None:
    (scripts / "daemon.py").write_text(
        "import os, time\nchild = os.fork()\nif child == 0:\n    time.sleep(60)\n    os._exit(0)\n"
        "print(child)\n"
    )
    me = os.getpid()  # local runs live below this process
    waiting: list[int] = []

    def interpreters_waiting() -> set[int]:
        return {proc.pid for proc in below(me) if proc.name == WAITING_NAME}

    # Sandboxes that other tests of this process keep open have spares of their own.
    others = interpreters_waiting()

    def spares_ready() -> bool:
        waiting[:] = sorted(interpreters_waiting() - others)
        return bool(waiting)

    async with _opened("local", True, scripts) as sandbox:
        result = await _run(sandbox, scripts, "probe.py")
        if not keeps(sandbox):  # runs as a uid of their own: no interpreter may wait as it
            assert result.stdout == "False\n" and not spares_ready()
            return
        assert result.stdout == "True\n"
        assert await poll(spares_ready, 30), "the shared sandbox keeps no warm interpreter"
        # A program forked by a warm interpreter keeps its command line but not the waiting
        # name: it is no spare, and the run does not leave it behind.
        daemon = await _run(sandbox, scripts, "daemon.py")
        forked = int(daemon.stdout)
        proc = describe(forked)
        assert proc is None or proc.zombie or not waiting_spare(proc)
        assert await poll(lambda: describe(forked) is None, 10), "the daemon outlived its run"
    assert await poll(lambda: all(describe(pid) is None for pid in waiting), 10), waiting


def test_an_order_carries_the_per_run_variables_only() -> None:
    env = {"HOME": "/h", "PATH": "/bin", "X": "1"}
    order = order_bytes(["/py", "a.py", "x y"], cwd="/w", env=env)
    payload = order[8:]
    assert int(order[:8], 16) == len(payload)
    words = payload.split(b"\0")
    assert words[:5] == [b"/w", b"3", b"/py", b"a.py", b"x y"]
    assert sorted(words[5:]) == sorted(
        f"{name}={env[name]}".encode() if name in env else name.encode() for name in PER_RUN
    )
    assert is_script_run(["/py", "prog.py", "-v"])
    assert not is_script_run(["/py", "-m", "pytest"]) and not is_script_run(["/py"])
    # Quoted as one word in bubblewrap's inner script, yet found verbatim in its command line.
    assert "'" not in BOOT


def test_a_waiting_interpreter_ends_when_its_server_goes_away(scripts: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-c", BOOT], stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=scripts
    )
    assert process.stdin is not None

    def waiting() -> bool:
        proc = describe(process.pid)
        return proc is not None and proc.name == WAITING_NAME

    assert asyncio.run(poll(waiting, 10)), describe(process.pid)
    process.stdin.close()
    assert process.wait(10) == 0
    assert process.stdout is not None and process.stdout.read() == b""
