"""The sandbox table of hostile-inputs.md, one test per row, against every backend that claims it.

After each case: the test process is alive (it is running the assertions), no process from the
run survives (a unique marker in the run's environment, looked for below this test process,
among the orphans pid 1 adopted and in the docker container's cgroup), and the project is
byte-for-byte unchanged. Payloads are scaled to small limits (2 s wall, 256 MiB, 64 processes,
64 KiB output) so the whole table stays fast.
"""

from __future__ import annotations

import os
import socket
import uuid
from pathlib import Path

import pytest
from fixloop.sandbox import RunResult, RunSpec, Sandbox, Status

from .conftest import SMALL, run_leftovers, tree_digest

# Not a speed check: a run that outlived its wall clock by this much was not killed at all.
NOT_HUNG_SECONDS = 5.0


def assert_host_can_fork() -> None:
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    assert os.waitpid(pid, 0)[1] == 0


def host_has(*paths: Path) -> bool:
    return any(path.exists() for path in paths)


async def hostile(sandbox: Sandbox, project: Path, code: str, **spec_fields: object) -> RunResult:
    """Run `code`, then check the three invariants every case shares."""
    marker = uuid.uuid4().hex
    before = tree_digest(project)
    fields: dict[str, object] = {"limits": SMALL, **spec_fields}
    fields["env"] = {**fields.get("env", {}), "HOSTILE_MARKER": marker}  # type: ignore[dict-item]
    spec = RunSpec(argv=("payload.py",), root=project, overlay={"payload.py": code}, **fields)  # type: ignore[arg-type]
    result = await sandbox.run(spec)
    assert run_leftovers(sandbox, "HOSTILE_MARKER", marker) == [], "a process of the run survived"
    assert tree_digest(project) == before, "the workspace changed"
    assert_host_can_fork()  # the test process is alive and the host can still fork
    return result


async def test_busy_loop_times_out(sandbox: Sandbox, project: Path) -> None:
    result = await hostile(sandbox, project, "while True:\n    pass\n")
    assert result.status is Status.TIMEOUT and result.limit_hit in ("wall", "cpu")
    assert result.duration_ms < (SMALL.wall_seconds + NOT_HUNG_SECONDS) * 1000


@pytest.mark.parametrize(
    "code", ["import time\ntime.sleep(10**9)\n", "input()\nimport time\ntime.sleep(10**9)\n"]
)
async def test_sleep_and_blocked_input_time_out(sandbox: Sandbox, project: Path, code: str) -> None:
    result = await hostile(sandbox, project, code)
    if code.startswith("input"):
        # stdin is empty: input() raises EOFError at once instead of hanging.
        assert result.status is Status.ERROR and result.error is not None
        assert result.error.type == "EOFError"
    else:
        assert result.status is Status.TIMEOUT and result.limit_hit == "wall"


async def test_breakpoint_does_not_hang(sandbox: Sandbox, project: Path) -> None:
    result = await hostile(sandbox, project, "breakpoint()\nprint('past')\n")
    assert result.status in (Status.OK, Status.ERROR)
    assert result.status is not Status.TIMEOUT  # stdin is empty: pdb reads EOF and goes on


async def test_sigterm_ignored_gets_sigkill(sandbox: Sandbox, project: Path) -> None:
    code = (
        "import signal, time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        "print('ready', flush=True)\nwhile True:\n    time.sleep(0.01)\n"
    )
    result = await hostile(sandbox, project, code)
    assert result.status is Status.TIMEOUT
    assert result.stdout == "ready\n"


async def test_fork_bomb_is_stopped(sandbox: Sandbox, project: Path) -> None:
    code = (
        "import os\nchildren = 0\nwhile True:\n    if os.fork() == 0:\n"
        "        import time\n        time.sleep(60)\n        os._exit(0)\n    children += 1\n"
    )
    result = await hostile(sandbox, project, code)
    assert result.status in (Status.ERROR, Status.TIMEOUT, Status.KILLED)
    assert result.limit_hit in ("processes", "wall", "cpu")
    if result.status is Status.ERROR:
        assert result.error is not None and result.error.type == "BlockingIOError"


async def test_thread_bomb_is_stopped(sandbox: Sandbox, project: Path) -> None:
    code = (
        "import threading, time\nwhile True:\n"
        "    threading.Thread(target=time.sleep, args=(60,), daemon=True).start()\n"
    )
    result = await hostile(sandbox, project, code)
    assert result.status in (Status.ERROR, Status.MEMORY, Status.TIMEOUT)
    assert result.limit_hit in ("processes", "memory", "wall")


async def test_huge_allocation_is_a_memory_error(sandbox: Sandbox, project: Path) -> None:
    import resource

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result = await hostile(sandbox, project, "data = bytearray(10 * 1024**3)\n")
    assert result.status is Status.MEMORY and result.limit_hit == "memory"
    # The server's own memory stays flat (ru_maxrss is in KiB).
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before < 50 * 1024


@pytest.mark.parametrize(
    "code",
    [
        "while True:\n    print('x' * 100)\n",
        "import sys\nchunk = b'y' * 2**20\nfor _ in range(1024):\n    sys.stdout.buffer.write(chunk)\n",
        "import sys\nsys.stdout.write('z' * 100 * 2**20)\n",
        "import sys\nwhile True:\n    sys.stderr.write('e' * 4096)\n    sys.stdout.write('o' * 4096)\n",
    ],
    ids=["print-forever", "1GB", "100MB-line", "both-pipes"],
)
async def test_output_flood_is_capped(sandbox: Sandbox, project: Path, code: str) -> None:
    result = await hostile(sandbox, project, code)
    assert result.status is Status.OUTPUT_LIMIT and result.truncated
    kept = len(result.stdout.encode()) + len(result.stderr.encode())
    assert kept <= SMALL.output_bytes


async def test_invalid_utf8_and_escapes_are_replaced_not_interpreted(
    sandbox: Sandbox, project: Path
) -> None:
    code = "import sys\nsys.stdout.buffer.write(b'a\\xff\\xfeb \\x1b[2J\\x1b]0;title\\x07 end')\n"
    result = await hostile(sandbox, project, code)
    assert result.status is Status.OK
    assert result.stdout == "a\ufffd\ufffdb \x1b[2J\x1b]0;title\x07 end"
    from fixloop.cli.run import escape_control

    assert "\x1b" not in escape_control(result.stdout)


async def test_huge_file_hits_file_size_limit(sandbox: Sandbox, project: Path) -> None:
    code = (
        "import os\nwith open(os.path.join(os.environ.get('TMPDIR', '/tmp'), 'big'), 'wb') as f:\n"
        "    for _ in range(10 * 1024):\n        f.write(b'\\0' * 2**20)\n"
    )
    result = await hostile(sandbox, project, code)
    assert result.status in (Status.ERROR, Status.KILLED)
    assert result.limit_hit == "file_size"


async def test_many_small_files_hit_scratch_limit(isolated: Sandbox, project: Path) -> None:
    code = (
        "import os\nfor i in range(100_000):\n"
        "    with open(f'/tmp/f{i}', 'w') as f:\n        f.write('x' * 1024)\n"
    )
    result = await hostile(isolated, project, code)
    # bwrap's tmpfs is sized per run (32 MiB here) and fills first; docker's is sized per
    # container (256 MiB by default), so on a busy machine the wall clock may stop it first.
    if result.status is Status.TIMEOUT:
        assert isolated.name == "docker"
    else:
        assert result.status is Status.ERROR and result.error is not None
        assert "No space left on device" in result.error.message


@pytest.mark.parametrize(
    "target", ["~/owned", "../../owned", "/tmp/fixloop-owned-{marker}", "main.py"]
)
async def test_writes_outside_scratch_fail(isolated: Sandbox, project: Path, target: str) -> None:
    outside = Path(f"/tmp/fixloop-owned-{uuid.uuid4().hex}")
    path = target.replace("/tmp/fixloop-owned-{marker}", str(outside))
    if target == "main.py":
        path = str(project / "main.py")  # the user's own file, by absolute path
    code = f"import os\nopen(os.path.expanduser({path!r}), 'a').write('owned')\nprint('wrote')\n"
    result = await hostile(isolated, project, code)
    if target == "main.py":
        assert result.status is Status.ERROR, result.stdout  # the project is read-only
    # HOME and /tmp inside the sandbox are private scratch space (the project's parents too,
    # when it lives under /tmp): a write may succeed there, but it never reaches the host.
    assert not host_has(Path.home() / "owned", outside, project.parent.parent / "owned")


async def test_local_relative_writes_never_reach_the_workspace(project: Path) -> None:
    from fixloop.sandbox import open_sandbox

    sandbox = await open_sandbox("local")
    try:
        code = "open('main.py', 'w').write('owned')\nopen('new.py', 'w').write('x')\n"
        result = await hostile(sandbox, project, code)
        assert result.status is Status.OK and not result.protected
        assert "UNPROTECTED" in result.note
    finally:
        await sandbox.close()


async def test_secrets_outside_the_project_are_not_there(
    isolated: Sandbox, project: Path, tmp_path: Path
) -> None:
    secret = tmp_path / ".env"
    secret.write_text("OPENAI_API_KEY=sk-outside\n")
    code = (
        f"import os\nfor p in [{str(secret)!r}, os.path.expanduser('~/.ssh/id_rsa'), '/root/.ssh/id_rsa',"
        " '/root/.aws/credentials']:\n    print(p, os.path.exists(p))\n"
    )
    result = await hostile(isolated, project, code)
    assert result.status is Status.OK, result.stderr
    assert "True" not in result.stdout


async def test_api_keys_never_enter_the_sandbox(
    sandbox: Sandbox, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("OPENAI_API_KEY", "FIXLOOP_API_KEY", "GITHUB_TOKEN", "AWS_SECRET", "MY_KEY"):
        monkeypatch.setenv(name, "sk-leak-" + name)
    code = "import os\nprint(sorted(os.environ))\nprint(os.environ.get('OPENAI_API_KEY'))\n"
    result = await hostile(
        sandbox, project, code, env={"SAFE_VAR": "1", "EXTRA_TOKEN": "sk-leak-x"}
    )
    assert result.status is Status.OK
    assert "sk-leak" not in result.stdout and "KEY" not in result.stdout.replace("HOSTILE", "")
    assert "SAFE_VAR" in result.stdout


async def test_network_is_off(isolated: Sandbox, project: Path) -> None:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.setblocking(False)
    port = server.getsockname()[1]
    code = (
        "import socket\nresults = []\n"
        f"for target in [('127.0.0.1', {port}), ('1.1.1.1', 53)]:\n"
        "    try:\n        socket.create_connection(target, timeout=0.5).sendall(b'hi')\n"
        "        results.append('connected')\n    except OSError as exc:\n"
        "        results.append(type(exc).__name__)\n"
        "try:\n    socket.getaddrinfo('example.com', 80)\n    results.append('dns')\n"
        "except OSError:\n    results.append('nodns')\n"
        "import os\nresults.append(os.path.exists('/var/run/docker.sock'))\nprint(results)\n"
    )
    try:
        result = await hostile(isolated, project, code)
        try:
            conn, _ = server.accept()
            pytest.fail(f"the listener saw a connection from the sandbox: {conn}")
        except BlockingIOError:
            pass
    finally:
        server.close()
    assert result.status is Status.OK, result.stderr
    assert "connected" not in result.stdout and "'dns'" not in result.stdout
    assert result.stdout.strip().endswith("False]")


@pytest.mark.parametrize(
    "code",
    [
        "import os\nos.kill(os.getppid(), 9)\nprint('after')\n",
        "import os, signal\nos.killpg(0, signal.SIGKILL)\n",
    ],
    ids=["kill-parent", "kill-group"],
)
async def test_killing_outward_hits_only_the_sandbox(
    sandbox: Sandbox, project: Path, code: str
) -> None:
    result = await hostile(sandbox, project, code)
    assert result.status in (Status.KILLED, Status.ERROR, Status.OK)


async def test_kill_minus_one_hits_only_the_sandbox(isolated: Sandbox, project: Path) -> None:
    # Not for local: as root, kill(-1) from the unprotected backend would hit every process on
    # the machine. Namespaced backends confine it to the run's own processes.
    result = await hostile(isolated, project, "import os, signal\nos.kill(-1, signal.SIGKILL)\n")
    assert result.status in (Status.KILLED, Status.ERROR, Status.OK)


@pytest.mark.parametrize(
    "code",
    [
        "import os, time\nif os.fork() == 0:\n    if os.fork() == 0:\n        time.sleep(60)\n    os._exit(0)\nprint('parent done')\n",
        "import os, time\nif os.fork() == 0:\n    os.setsid()\n    time.sleep(60)\n    os._exit(0)\nprint('parent done')\n",
        "import subprocess\nsubprocess.Popen(['sleep', '60'], start_new_session=True)\nprint('parent done')\n",
    ],
    ids=["double-fork", "setsid", "daemon-holding-stdout"],
)
async def test_escaping_children_do_not_survive(sandbox: Sandbox, project: Path, code: str) -> None:
    result = await hostile(sandbox, project, code)
    assert result.stdout.startswith("parent done")
    assert result.duration_ms < (SMALL.wall_seconds + NOT_HUNG_SECONDS) * 1000


async def test_no_privilege_gain(isolated: Sandbox, project: Path) -> None:
    code = (
        "import os, shutil, subprocess\nout = []\n"
        "try:\n    os.setuid(0)\n    out.append('setuid-ok')\nexcept OSError:\n    out.append('setuid-denied')\n"
        "if shutil.which('sudo'):\n    r = subprocess.run(['sudo', '-n', 'true'], capture_output=True)\n"
        "    out.append('sudo-ok' if r.returncode == 0 else 'sudo-denied')\n"
        "import ctypes\nlibc = ctypes.CDLL(None, use_errno=True)\n"
        f"out.append('ptrace-ok' if libc.ptrace(16, {os.getpid()}, 0, 0) == 0 else 'ptrace-denied')\n"
        "print(out, os.getuid())\n"
    )
    result = await hostile(isolated, project, code)
    assert result.status is Status.OK, result.stderr
    assert "-ok" not in result.stdout
    assert not result.stdout.strip().endswith(" 0")
