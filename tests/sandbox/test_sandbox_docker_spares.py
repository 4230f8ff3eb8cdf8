"""Docker runs are handed to spare execs that wait in the container: each run still has its own
uid, scratch, stdin and environment, and the exit status cannot be forged by the program.

The spares are an internal speed-up, so one assertion looks at the sandbox to prove that the
later runs really came from spares; everything else is observed from inside the runs.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import docker
import pytest
from fixloop.sandbox import RunSpec, Status
from fixloop.sandbox.dockerbox import DockerSandbox
from fixloop.sandbox.dockerspares import _end
from proctree import poll

from .conftest import SMALL, run_code, uid_alive

# Reports its uid, its stdin, one variable and the other scratch directories it can see; leaves
# a file in its scratch and a sleeper behind.
_SNOOP = (
    "import json, os, subprocess, sys\n"
    "mine = os.environ['TMPDIR']\n"
    "others = [d for d in os.listdir('/tmp') if '/tmp/' + d != mine]\n"
    "open(os.path.join(mine, 'mark'), 'w').write('x')\n"
    "subprocess.Popen(['sleep', '30'], start_new_session=True)\n"
    "alive = sum(1 for p in os.listdir('/proc') if p.isdigit() and os.stat('/proc/' + p).st_uid == os.getuid())\n"
    "print(json.dumps([os.getuid(), sys.stdin.read(), os.environ.get('WHO'), others, alive]))\n"
)


async def test_each_run_gets_its_own_uid_stdin_env_and_scratch(
    docker_sandbox: DockerSandbox, project: Path
) -> None:
    seen_uids = set()
    for index in range(5):
        result = await run_code(
            docker_sandbox, project, _SNOOP, stdin=f"in{index}".encode(), env={"WHO": f"run{index}"}
        )
        assert result.status is Status.OK, result.stderr
        uid, stdin, who, others, alive = json.loads(result.stdout)
        assert (stdin, who) == (f"in{index}", f"run{index}")
        # Only earlier runs' scratch directories, each of another uid.
        assert len(others) <= index and not any(name.startswith(f"u{uid}-") for name in others)
        assert alive == 3, result.stdout  # wrapper, program, its sleeper: none of an earlier run
        seen_uids.add(uid)
    assert len(seen_uids) == 5
    assert docker_sandbox._spares.waiting()  # the later runs were served by spares


async def test_a_forged_exit_trailer_does_not_turn_into_success(
    docker_sandbox: DockerSandbox, project: Path
) -> None:
    forger = (
        "import os, sys\n"
        "for guess in ('', '0' * 32):\n"
        "    sys.stderr.write('\\x00fixloop-exit:' + guess + ':0\\n')\n"
        "sys.stderr.flush()\n"
        "os.kill(-1, 9)  # the wrapper too: it never says its own last words\n"
    )
    result = await run_code(docker_sandbox, project, forger)
    assert result.status is not Status.OK, result
    assert result.exit_code != 0


async def test_a_run_killed_at_the_wall_clock_leaves_the_next_one_working(
    docker_sandbox: DockerSandbox, project: Path
) -> None:
    hang = "import time\nprint('start', flush=True)\ntime.sleep(60)\n"
    for _ in range(2):
        result = await run_code(docker_sandbox, project, hang)
        assert result.status is Status.TIMEOUT and result.stdout == "start\n", result
        after = await docker_sandbox.run(RunSpec(argv=("main.py",), root=project, limits=SMALL))
        assert after.error is not None and after.error.type == "ZeroDivisionError", after


async def test_the_last_output_of_every_run_arrives(
    docker_sandbox: DockerSandbox, project: Path
) -> None:
    # The engine forwards stdout and stderr separately: the exit status (on stderr) once came
    # before the program's last stdout and about one run in thirty lost its output.
    code = "import sys\nsys.stdout.write('line %d\\n' % int(sys.argv[1]))\n"
    for index in range(100):
        result = await docker_sandbox.run(
            RunSpec(
                argv=("last.py", str(index)),
                root=project,
                limits=SMALL,
                overlay={"last.py": code},
            )
        )
        assert (result.status, result.stdout) == (Status.OK, f"line {index}\n"), result


async def test_close_removes_the_container_when_spare_starts_were_cancelled(
    docker_sandbox: DockerSandbox, project: Path
) -> None:
    # Spares start once a run is over; an event loop that shuts down right after cancels those
    # starts. close() once raised that cancellation and left the container running.
    docker_sandbox.share()
    result = await docker_sandbox.run(RunSpec(argv=("main.py",), root=project, limits=SMALL))
    assert result.status is Status.ERROR, result
    pending = [future for future in docker_sandbox._spares.waiting() if not future.done()]
    assert pending, "a run of a shared sandbox starts spares after it"
    for future in pending:
        future.cancel()
    containers = list(docker_sandbox._containers.values())
    await docker_sandbox.close()
    for container in containers:
        with pytest.raises(docker.errors.NotFound):
            await asyncio.to_thread(container.reload)


async def test_an_ended_spare_leaves_the_container(
    docker_sandbox: DockerSandbox, project: Path
) -> None:
    # The engine ends an exec's stdin only on a half-close of its socket; a spare nobody will
    # take (new settings, the sandbox closing) must then exit, not wait for the container's end.
    docker_sandbox.share()
    await docker_sandbox.warm(RunSpec(argv=(), root=project, limits=SMALL))
    spares = docker_sandbox._spares.waiting()
    await asyncio.wait(spares)
    (container,) = docker_sandbox._containers.values()
    for future in spares:  # a plain spare (a shell) and a warm one (a shell and Python)
        spare = future.result()
        assert await asyncio.to_thread(uid_alive, container, spare.uid)
        _end(spare)
        # At once: a spare left waiting goes only when the engine notices the closed
        # connection, seconds later or not at all.
        assert await poll(lambda uid=spare.uid: not uid_alive(container, uid), 2), spare.uid
