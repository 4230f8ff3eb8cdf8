"""`local` as root: the program runs as an unprivileged uid of its own (issue 11, section 4).

A real `LocalSandbox` with Debian's /usr/bin/python3 (reachable by any user, unlike an
interpreter under /root) runs a program that tries what a hostile candidate would: read the
fixloop process's environment, a root-only file in a private directory and /etc/shadow, and
change its copy of the project (allowed: the copy is the run's own; the workspace is untouched). With this machine's own interpreter under a private directory, the
sandbox must say that the program stays root, and why.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

import pytest
from fixloop.sandbox import RunSpec, open_sandbox
from fixloop.sandbox.runas import RUN_UID_BASE, run_identity

from .conftest import run_code

SYSTEM_PYTHON = "/usr/bin/python3"

PROBE = """
import json, os, sys
def attempt(action):
    try:
        action()
        return "allowed"
    except OSError as error:
        return error.strerror
secret_dir, fixloop_pid = sys.argv[1], int(sys.argv[2])
report = {
    "uid": os.getuid(),
    "groups": os.getgroups(),
    "fixloop environ": attempt(lambda: open(f"/proc/{fixloop_pid}/environ", "rb").read()),
    "private file": attempt(lambda: open(os.path.join(secret_dir, "id_rsa")).read()),
    "shadow": attempt(lambda: open("/etc/shadow").read()),
    "change project copy": attempt(lambda: open("helper.py", "a").write("# changed")),
    "read project copy": attempt(lambda: open("helper.py").read()),
    "write home": attempt(lambda: open(os.path.join(os.environ["HOME"], "x"), "w").write("1")),
    "write tmp": attempt(lambda: open(os.path.join(os.environ["TMPDIR"], "x"), "w").write("1")),
}
print(json.dumps(report))
"""


@pytest.fixture
def private_dir(tmp_path: Path) -> Path:
    secret = tmp_path / "private"
    secret.mkdir(mode=0o700)
    (secret / "id_rsa").write_text("CANARY-PRIVATE-KEY\n")
    os.chmod(secret / "id_rsa", 0o600)
    return secret


async def test_as_root_the_program_runs_unprivileged(project: Path, private_dir: Path) -> None:
    if os.geteuid() != 0 or not Path(SYSTEM_PYTHON).exists():  # noqa: ASYNC240
        pytest.skip("needs root and Debian's /usr/bin/python3")
    os.chmod(project / "helper.py", 0o600)  # a private source file must still be readable
    sandbox = await open_sandbox("local", python=SYSTEM_PYTHON)
    try:
        spec = RunSpec(
            argv=("probe.py", str(private_dir), str(os.getpid())),
            root=project,
            overlay={"probe.py": PROBE},
        )
        result = await sandbox.run(spec)
    finally:
        await sandbox.close()
    assert result.ok, result.stderr
    report = json.loads(result.stdout)
    assert report["uid"] >= RUN_UID_BASE and report["groups"] == []
    assert report["fixloop environ"] == "Permission denied"
    assert report["private file"] == "Permission denied"
    assert report["shadow"] == "Permission denied"
    assert report["change project copy"] == "allowed"  # its own scratch copy, as before
    assert report["read project copy"] == "allowed"
    assert report["write home"] == "allowed" and report["write tmp"] == "allowed"
    assert f"unprivileged uid {report['uid']}" in result.note and "UNPROTECTED" in result.note
    assert (project / "helper.py").read_text() == "def boom():\n    return 1 / 0\n"


async def test_a_shared_sandbox_with_a_run_uid_keeps_no_interpreter_waiting_as_it(
    project: Path,
) -> None:
    """Every run shares the run uid: an interpreter waiting as that uid could be reached by one
    run's code and run the next one's program. Such a sandbox uses ordinary zygotes."""
    if os.geteuid() != 0 or not Path(SYSTEM_PYTHON).exists():  # noqa: ASYNC240
        pytest.skip("needs root and Debian's /usr/bin/python3")
    sandbox = await open_sandbox("local", python=SYSTEM_PYTHON)
    try:
        await sandbox.warm(RunSpec(argv=(), root=project))
        probe = "import os, sys\nprint(os.getuid() >= RUN_UID_BASE, '-c' in sys.orig_argv)\n"
        probe = probe.replace("RUN_UID_BASE", str(RUN_UID_BASE))
        results = [await run_code(sandbox, project, probe) for _ in range(3)]
    finally:
        await sandbox.close()
    assert [result.stdout for result in results] == ["True False\n"] * 3, results


async def test_an_interpreter_other_users_cannot_reach_keeps_root_and_says_why(
    project: Path,
) -> None:
    identity, why = run_identity(sys.executable, Path(tempfile.gettempdir()) / "x")
    if os.geteuid() != 0 or identity is not None:
        pytest.skip("this interpreter can run as another user here")
    sandbox = await open_sandbox("local")
    try:
        result = await run_code(sandbox, project, "import os\nprint(os.getuid())\n")
    finally:
        await sandbox.close()
    assert result.stdout.strip() == "0"
    assert "ran as root" in result.note and why in result.note


async def test_the_unprivileged_uid_can_write_the_tasks_package_directory(project: Path) -> None:
    """A task's `pip install` writes its package directory; fixloop creates it private to
    root, so the run's own uid must be given it first (else every install fails as root)."""
    if os.geteuid() != 0 or not Path(SYSTEM_PYTHON).exists():  # noqa: ASYNC240
        pytest.skip("needs root and Debian's /usr/bin/python3")
    # Made as fixloop.task makes it: private to root, in the system's temporary directory.
    holder = tempfile.TemporaryDirectory(prefix="fixloop-task-packages-")
    packages = Path(holder.name)
    code = (
        "import os, sys\n"
        "target = os.environ['PIP_TARGET']\n"
        "open(os.path.join(target, 'installed.py'), 'w').write('VALUE = 7\\n')\n"
        "sys.path.insert(0, target)\n"
        "import installed\n"
        "print(os.getuid(), installed.VALUE)\n"
    )
    sandbox = await open_sandbox("local", python=SYSTEM_PYTHON)
    try:
        spec = RunSpec(
            argv=("install.py",), root=project, overlay={"install.py": code}, packages=packages
        )
        result = await sandbox.run(spec)
    finally:
        await sandbox.close()
    try:
        assert result.ok, result.stderr
        assert (packages / "installed.py").read_text() == "VALUE = 7\n"
    finally:
        holder.cleanup()
    uid, value = result.stdout.split()
    assert int(uid) >= RUN_UID_BASE and value == "7"
