"""Every backend runs ordinary programs the same way: status, output, parsed error, overlay."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from fixloop.sandbox import RunSpec, Sandbox, Status
from proctree import poll

from .conftest import SMALL, run_code, run_leftovers, tree_digest


async def test_ok_program(sandbox: Sandbox, project: Path) -> None:
    result = await run_code(sandbox, project, "print('hello')\n")
    assert result.status is Status.OK, result
    assert result.exit_code == 0
    assert result.stdout == "hello\n"
    assert result.sandbox == sandbox.name
    assert result.protected is (sandbox.name != "local")
    assert result.error is None


async def test_failing_program_parses_error_relative_to_root(
    sandbox: Sandbox, project: Path
) -> None:
    before = tree_digest(project)
    result = await sandbox.run(RunSpec(argv=("main.py",), root=project, limits=SMALL))
    assert result.status is Status.ERROR
    assert result.exit_code == 1
    assert result.stdout == "hi\n"
    assert result.error is not None
    assert (result.error.type, result.error.message) == ("ZeroDivisionError", "division by zero")
    assert (result.error.file, result.error.line) == ("helper.py", 2)
    assert [(f.file, f.line, f.function) for f in result.error.frames] == [
        ("main.py", 3, "<module>"),
        ("helper.py", 2, "boom"),
    ]
    assert tree_digest(project) == before


async def test_overlay_replaces_file_for_one_run_only(sandbox: Sandbox, project: Path) -> None:
    fixed = "def boom():\n    return 42\n"
    result = await sandbox.run(
        RunSpec(argv=("main.py",), root=project, limits=SMALL, overlay={"helper.py": fixed})
    )
    assert result.status is Status.OK, result.stderr
    again = await sandbox.run(RunSpec(argv=("main.py",), root=project, limits=SMALL))
    assert again.status is Status.ERROR
    assert (project / "helper.py").read_text() == "def boom():\n    return 1 / 0\n"


async def test_program_changes_to_scratch_do_not_leak_into_next_run(
    sandbox: Sandbox, project: Path
) -> None:
    vandal = (
        "import os\n"
        "for name in ('helper.py', 'main.py'):\n"
        "    try:\n        open(name, 'w').write('raise SystemExit(7)\\n')\n"
        "    except OSError:\n        pass\n"
        "open('new_file.txt', 'w').write('x') if os.access('.', os.W_OK) else None\n"
    )
    await run_code(sandbox, project, vandal)
    result = await sandbox.run(RunSpec(argv=("main.py",), root=project, limits=SMALL))
    assert result.status is Status.ERROR and result.error is not None
    assert result.error.type == "ZeroDivisionError"
    assert not (project / "new_file.txt").exists()


async def test_syntax_error_location(sandbox: Sandbox, project: Path) -> None:
    result = await run_code(sandbox, project, "x = 1\ndef f(:\n    pass\n")
    assert result.status is Status.ERROR
    assert result.error is not None
    assert result.error.type == "SyntaxError"
    assert (result.error.file, result.error.line) == ("payload.py", 2)


async def test_args_stdin_and_module_invocation(sandbox: Sandbox, project: Path) -> None:
    code = "import sys\nprint(sys.argv[1:], sys.stdin.read())\n"
    result = await sandbox.run(
        RunSpec(
            argv=("payload.py", "a b", "--c"),
            root=project,
            limits=SMALL,
            overlay={"payload.py": code},
            stdin=b"in",
        )
    )
    assert result.stdout == "['a b', '--c'] in\n"
    tests = "def test_one():\n    assert 1 + 1 == 3\n"
    # pytest with its plugins can take over a second to start on a busy machine.
    result = await sandbox.run(
        RunSpec(
            argv=("-m", "pytest", "-q", "-p", "no:cacheprovider", "test_x.py"),
            root=project,
            limits=replace(SMALL, wall_seconds=30),
            overlay={"test_x.py": tests},
        )
    )
    assert result.status is Status.ERROR
    assert "1 failed" in result.stdout


async def test_full_command_gets_sandbox_python_first_on_path(
    sandbox: Sandbox, project: Path
) -> None:
    result = await sandbox.run(
        RunSpec(argv=("python", "-c", "print(6 * 7)"), root=project, limits=SMALL, use_python=False)
    )
    assert result.stdout == "42\n", result


async def test_start_process_pipes_and_kill(sandbox: Sandbox, project: Path) -> None:
    echo = "import sys\nfor line in sys.stdin:\n    print(line.strip().upper(), flush=True)\n"
    process = await sandbox.start_process(
        RunSpec(
            argv=("echo_worker.py",), root=project, limits=SMALL, overlay={"echo_worker.py": echo}
        )
    )
    process.stdin.write(b"ping\n")
    await process.stdin.drain()
    assert await process.stdout.readline() == b"PING\n"
    await process.kill()
    assert await process.wait() is not None


async def test_killing_a_long_lived_process_kills_its_whole_tree(
    sandbox: Sandbox, project: Path
) -> None:
    import uuid

    marker = uuid.uuid4().hex
    worker = (
        "import os, subprocess, sys\n"
        "subprocess.Popen(['sleep', '300'], start_new_session=True)\n"
        "if os.fork() == 0:\n    os.setsid()\n    import time\n    time.sleep(300)\n"
        "print('ready', flush=True)\nsys.stdin.read()\n"
    )
    process = await sandbox.start_process(
        RunSpec(
            argv=("tree_worker.py",),
            root=project,
            limits=SMALL,
            overlay={"tree_worker.py": worker},
            env={"TREE_MARKER": marker},
        )
    )
    assert await process.stdout.readline() == b"ready\n"
    # The worker, its sleep and its forked child (waited for: the count is taken from outside).
    assert await poll(lambda: len(run_leftovers(sandbox, "TREE_MARKER", marker)) >= 3, 30)
    await process.kill()
    assert run_leftovers(sandbox, "TREE_MARKER", marker) == []


async def test_killed_long_lived_processes_are_forgotten(sandbox: Sandbox, project: Path) -> None:
    # A sandbox shared by many conversations must not keep every dead worker until it closes.
    for _ in range(3):
        process = await sandbox.start_process(
            RunSpec(argv=("-c", "import sys; sys.stdin.read()"), root=project, limits=SMALL)
        )
        await process.kill()
    assert not sandbox._processes  # type: ignore[attr-defined]
