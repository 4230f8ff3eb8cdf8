"""bwrap runs are served by spares that wait inside an already built sandbox: still one sandbox
per run, and a spare never shows a scratch copy that is gone.

The spares are an internal speed-up, so these tests look at the pool once to prove that the
later runs really came from spares; everything else is observed from inside the runs.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from fixloop.sandbox import RunSpec, Status, open_sandbox
from fixloop.sandbox.bwrap import BwrapSandbox

from .conftest import SMALL, run_code

# Leaves a mark in /tmp and a process behind, then says what it found from earlier runs.
_SNOOP = (
    "import os, subprocess\n"
    "seen = sorted(os.listdir('/tmp'))\n"
    "pids = sorted(int(p) for p in os.listdir('/proc') if p.isdigit())\n"
    "open('/tmp/mark-' + str(os.getpid()), 'w').write('x')\n"
    "subprocess.Popen(['sleep', '30'], start_new_session=True)\n"
    "print(len([name for name in seen if name.startswith('mark-')]), len(pids))\n"
)


def _spares_waiting(sandbox: BwrapSandbox) -> int:
    return sum(len(pool._spares) for _, pool in sandbox._launched.values())


async def test_each_run_gets_a_fresh_sandbox_from_a_spare(project: Path) -> None:
    sandbox = await open_sandbox("bwrap")
    assert isinstance(sandbox, BwrapSandbox)
    try:
        outputs = []
        for _ in range(5):
            result = await run_code(sandbox, project, _SNOOP)
            assert result.status is Status.OK, result.stderr
            outputs.append(result.stdout)
        assert _spares_waiting(sandbox) >= 1  # the later runs were served by spares
        for output in outputs:
            # No mark in /tmp and no sleeper from a previous run: the only processes are
            # bubblewrap's init and the program itself.
            assert output == "0 2\n", output
    finally:
        await sandbox.close()


async def test_a_deleted_scratch_copy_is_rebuilt_and_spares_follow(project: Path) -> None:
    sandbox = await open_sandbox("bwrap")
    assert isinstance(sandbox, BwrapSandbox)
    spec = RunSpec(argv=("main.py",), root=project, limits=SMALL)
    try:
        for _ in range(3):
            result = await sandbox.run(spec)
            assert result.error is not None and result.error.type == "ZeroDivisionError"
        assert _spares_waiting(sandbox) >= 1
        # Something outside removes the scratch copy the waiting spares have mounted.
        for pool in sandbox._pools.values():
            for tree in pool._all:
                shutil.rmtree(tree.path)
        for _ in range(3):
            result = await sandbox.run(spec)
            assert result.stdout == "hi\n", result.stderr
            assert result.error is not None and result.error.type == "ZeroDivisionError"
    finally:
        await sandbox.close()
