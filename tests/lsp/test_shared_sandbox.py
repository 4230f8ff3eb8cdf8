"""The server's one shared sandbox: every Run File and Run Tests uses it, a settings change
switches to a new one and closes the old one, shutdown closes it.

A real `fixloop serve` over its pipes, real local and bwrap sandboxes. Each answer carries
`sandboxSerial`, which opening of the shared sandbox in the server process ran the code: a
sandbox opened per call would give every answer a new serial. Processes are read below the
server only (tests/proctree.py), and the server's TMPDIR is a directory of this test, so its
sandboxes' scratch directories can be counted.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from proctree import alive, below, poll, settle_below, waiting_spare

from .rawrpc import RawServer

FAILING = "def half(x):\n    return x / 0\n\n\nprint(half(4))\n"
TEST_FILE = "from mod import half\n\n\ndef test_half():\n    assert half(4) == 2\n"


def scratch_dirs(tmp: Path, server_pid: int) -> list[str]:
    """The local sandboxes' base directories of this server (named after its pid)."""
    return sorted(
        e.name for e in os.scandir(tmp) if e.name.startswith(f"fixloop-local-{server_pid}-")
    )


async def run_file(raw: RawServer, msg_id: str, uri: str) -> dict[str, Any]:
    raw.command(msg_id, "fixloop.runFile", {"uri": uri})
    reply = await raw.response(msg_id, timeout=60)
    assert "result" in reply, reply
    return reply["result"]


async def start(tmp_path: Path, sandbox: str) -> tuple[RawServer, Path, Path]:
    workspace = tmp_path / "ws"
    workspace.mkdir()
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    raw = await RawServer.start(env={"TMPDIR": str(scratch)})
    await raw.initialize(
        workspace.as_uri(), {"settings": {"sandbox": sandbox, "engine": "offline", "timeout": 20}}
    )
    return raw, workspace, scratch


async def test_run_file_and_run_tests_share_one_sandbox_until_shutdown(tmp_path: Path) -> None:
    raw, workspace, scratch = await start(tmp_path, "local")
    try:
        module = workspace / "mod.py"
        module.write_text(FAILING)
        (workspace / "test_mod.py").write_text(TEST_FILE)
        raw.open(module.as_uri(), FAILING)
        first = await run_file(raw, "run-1", module.as_uri())
        second = await run_file(raw, "run-2", module.as_uri())
        assert first["status"] == second["status"] == "error", (first, second)
        assert first["error"]["type"] == "ZeroDivisionError"
        raw.command("tests-1", "fixloop.runTests", {"uri": module.as_uri()})
        tests = (await raw.response("tests-1", timeout=60))["result"]
        assert tests["failed"] == 1, tests
        assert first["sandboxSerial"] >= 1
        assert first["sandboxSerial"] == second["sandboxSerial"] == tests["sandboxSerial"]
        # A file saved on disk between runs reaches the shared sandbox's copy of the project.
        (workspace / "helper.py").write_text("VALUE = 'first'\n")
        user = workspace / "user.py"
        user.write_text("import helper\nprint(helper.VALUE)\n")
        raw.open(user.as_uri(), user.read_text())
        assert (await run_file(raw, "run-3", user.as_uri()))["stdout"] == "first\n"
        (workspace / "helper.py").write_text("VALUE = 'second, saved later'\n")
        again = await run_file(raw, "run-4", user.as_uri())
        assert again["stdout"] == "second, saved later\n", again
        assert again["sandboxSerial"] == first["sandboxSerial"]
        assert len(scratch_dirs(scratch, raw.process.pid)) == 1
        # Shutdown closes the shared sandbox: its spares end and its scratch directory goes.
        assert (await raw.request("shutdown", "shutdown"))["result"] is None
        assert await settle_below(raw.process.pid, deadline_seconds=30) == []
        assert scratch_dirs(scratch, raw.process.pid) == []
        raw.send({"jsonrpc": "2.0", "method": "exit"})
        assert await raw.process.wait() == 0
    finally:
        await raw.stop()


async def test_changing_the_sandbox_setting_opens_a_new_one_and_closes_the_old(
    tmp_path: Path,
) -> None:
    raw, workspace, scratch = await start(tmp_path, "local")
    try:
        module = workspace / "mod.py"
        module.write_text(FAILING)
        raw.open(module.as_uri(), FAILING)
        before = await run_file(raw, "run-1", module.as_uri())
        assert before["sandbox"] == "local"
        # The local sandbox keeps spares waiting below the server for the next run.
        assert await poll(lambda: any(waiting_spare(p) for p in below(raw.process.pid)), 30), (
            "the shared sandbox keeps no spare"
        )
        old_processes = {p.pid for p in below(raw.process.pid)}
        assert len(scratch_dirs(scratch, raw.process.pid)) == 1
        raw.send(
            {
                "jsonrpc": "2.0",
                "method": "workspace/didChangeConfiguration",
                "params": {"settings": {"fixloop": {"sandbox": "bwrap", "engine": "offline"}}},
            }
        )
        after = await run_file(raw, "run-2", module.as_uri())
        assert after["sandbox"] == "bwrap", after
        assert after["error"]["type"] == "ZeroDivisionError"
        assert after["sandboxSerial"] != before["sandboxSerial"]
        # The local sandbox closed: its processes and its scratch directory are gone.
        assert await poll(lambda: not alive(old_processes), 30), alive(old_processes)
        assert await poll(lambda: not scratch_dirs(scratch, raw.process.pid), 30)
        assert await raw.shutdown_and_exit() == 0
    finally:
        await raw.stop()
