"""The language-server rows of hostile-inputs.md, fed as raw bytes over the server's pipes."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import pytest
from fixloop.lsp.stdio import STALL_SECONDS
from proctree import alive, below, descendants, poll

from .conftest import BUGGY, SANDBOX, server_env
from .rawrpc import RawServer

SLOW = "import time\n\n\ndef f(xs):\n    time.sleep(1.0)\n    return xs[3]\n\n\nprint(f([]))\n"


@pytest.fixture
async def raw() -> RawServer:
    server = await RawServer.start()
    yield server
    server.kill()
    await server.process.wait()


async def test_requests_before_initialize_and_bad_messages_get_errors(
    raw: RawServer, tmp_path: Path
) -> None:
    early = await raw.request(7, "shutdown")
    assert early["error"]["code"] == -32002
    raw.send(
        {"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {}}
    )  # dropped, not fatal
    await raw.initialize(tmp_path.as_uri(), {"settings": {"sandbox": SANDBOX}})

    raw.send_body(b'{"jsonrpc": "2.0", "id": 9, "method": ')  # malformed JSON
    assert (await raw.response(None))["error"]["code"] == -32700
    for body in (b"[1, 2, 3]", b"42", b'"text"', b'{"id": 10, "method": "shutdown"}'):
        raw.send_body(body)
        assert (await raw.response(None if body[0:1] != b"{" else 10))["error"]["code"] == -32600
    raw.send({"jsonrpc": "1.0", "id": 12, "method": "shutdown", "params": None})
    assert (await raw.response(12))["error"]["code"] == -32600
    unknown = await raw.request(13, "fixloop/noSuchMethod", {})
    assert unknown["error"]["code"] == -32601
    raw.send({"jsonrpc": "2.0", "method": "fixloop/noSuchNotification", "params": {}})
    bad_params = await raw.request(14, "textDocument/codeAction", {"textDocument": 5})
    assert bad_params["error"]["code"] in (-32602, -32603)
    bad_command = await raw.request(
        15, "workspace/executeCommand", {"command": "fixloop.runFile", "arguments": [1, 2]}
    )
    assert bad_command["result"] == {"ok": False, "reason": "expected exactly one object argument"}
    # Still alive and answering after all of that.
    alive = await raw.request(
        16, "workspace/executeCommand", {"command": "fixloop.cancel", "arguments": [{}]}
    )
    assert alive["result"] == {"ok": True, "cancelled": 0}
    assert raw.process.returncode is None
    assert (await raw.request(17, "shutdown"))["result"] is None
    raw.send({"jsonrpc": "2.0", "method": "exit"})
    assert await asyncio.wait_for(raw.process.wait(), 10) == 0


@pytest.mark.parametrize(
    "header",
    [b"Content-Length: 99999999999999999999\r\n\r\n{", b'Content-Length: 1000\r\n\r\n{"jsonrpc"'],
)
async def test_absurd_length_or_truncated_body_ends_cleanly(
    raw: RawServer, tmp_path: Path, header: bytes
) -> None:
    await raw.initialize(tmp_path.as_uri())
    raw.send_bytes(header)
    assert await raw.close_stdin_and_wait() == 0


def cancel_request(msg_id: str) -> bytes:
    return json.dumps(
        {
            "jsonrpc": "2.0",
            "id": msg_id,
            "method": "workspace/executeCommand",
            "params": {"command": "fixloop.cancel", "arguments": [{}]},
        }
    ).encode()


BAD_HEADERS = {
    "not-a-number": b"Content-Length: twelve\r\n\r\n",
    "negative": b"Content-Length: -1\r\n\r\n",
    "missing": b"Content-Type: application/vscode-jsonrpc\r\n\r\n",
    "absurd": b"Content-Length: 99999999999999999999\r\n\r\n",
    "too-short": b"Content-Length: 7\r\n\r\n",
    "too-long": b"Content-Length: 9000\r\n\r\n",
}


@pytest.mark.parametrize("case", list(BAD_HEADERS))
async def test_a_wrong_content_length_is_logged_and_the_next_message_answered(
    raw: RawServer, tmp_path: Path, case: str
) -> None:
    await raw.initialize(tmp_path.as_uri())
    raw.send_bytes(BAD_HEADERS[case] + cancel_request("bad"))
    alive = await raw.request(
        2, "workspace/executeCommand", {"command": "fixloop.cancel", "arguments": [{}]}
    )
    assert alive["result"] == {"ok": True, "cancelled": 0}
    if case == "too-long":  # it ended where the next message began: a whole request, answered
        assert [message["id"] for message in raw.stray] == ["bad"]
    elif case == "too-short":  # the declared bytes are not JSON
        assert [message["error"]["code"] for message in raw.stray] == [-32700]
    else:
        assert raw.stray == []  # dropped, with the header that declared it
    assert await raw.shutdown_and_exit() == 0
    assert b"framing error" in await raw.all_stderr()


async def test_a_too_long_message_with_nothing_after_it_is_answered_after_a_stall(
    raw: RawServer, tmp_path: Path
) -> None:
    await raw.initialize(tmp_path.as_uri())
    raw.send_bytes(BAD_HEADERS["too-long"] + cancel_request("stalled"))
    # Nothing follows; the reader waits STALL_SECONDS for the rest, then takes what came.
    answer = await raw.response("stalled", timeout=STALL_SECONDS + 15)
    assert answer["result"] == {"ok": True, "cancelled": 0}
    assert await raw.shutdown_and_exit() == 0
    assert b"nothing for" in await raw.all_stderr()


async def test_client_gone_mid_run_kills_the_sandbox(raw: RawServer, tmp_path: Path) -> None:
    path = tmp_path / "slow.py"
    path.write_text(SLOW)
    await raw.initialize(tmp_path.as_uri(), {"settings": {"sandbox": SANDBOX, "engine": "offline"}})
    raw.open(path.as_uri(), SLOW)
    raw.command(2, "fixloop.fix", {"uri": path.as_uri(), "version": 1})
    # Mid-run: an interpreter runs in the sandbox (the program sleeps a second per run).
    assert await poll(
        lambda: any("python" in proc.command for proc in below(raw.process.pid)), 60
    ), "the loop never started a sandboxed interpreter"
    seen = descendants(raw.process.pid)
    assert await raw.close_stdin_and_wait() == 0
    assert await poll(lambda: not alive(seen), 30), f"left running: {alive(seen)}"
    assert path.read_text() == SLOW


STRAY_OUTPUT_SERVER = """
import os, sys, threading, time
from fixloop.cli import main

real_stdout = sys.stdout

def stray():
    while sys.stdout is real_stdout:  # make the noise once the server is serving
        time.sleep(0.01)
    print("stray print from a library")
    os.write(1, b"stray write to file descriptor 1\\n")
    os.system("echo stray output from a child process")
    ready.set()

ready = threading.Event()
threading.Thread(target=stray, daemon=True).start()
sys.exit(main(["serve"]))
"""


async def test_stray_output_never_reaches_the_protocol_stream(tmp_path: Path) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        STRAY_OUTPUT_SERVER,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=server_env(),
    )
    raw = RawServer(process)
    try:
        noises = (b"stray print", b"stray write", b"stray output from a child")
        # The noise is made once the server serves; wait until all of it reached stderr.
        assert await poll(lambda: all(noise in raw.stderr for noise in noises), 60)
        await raw.initialize(tmp_path.as_uri())
        alive = await raw.request(
            2, "workspace/executeCommand", {"command": "fixloop.cancel", "arguments": [{}]}
        )
        assert alive["result"] == {"ok": True, "cancelled": 0}
        assert (await raw.request(3, "shutdown"))["result"] is None
        raw.send({"jsonrpc": "2.0", "method": "exit"})
        assert await asyncio.wait_for(process.wait(), 10) == 0
        stderr = await raw.all_stderr()
        for noise in noises:
            assert noise in stderr
    finally:
        await raw.stop()


async def test_entry_point_without_the_cli_registry(tmp_path: Path) -> None:
    raw = await RawServer.start([sys.executable, "-m", "fixloop.lsp"])
    try:
        await raw.initialize(tmp_path.as_uri())
        assert (await raw.request(2, "shutdown"))["result"] is None
        raw.send({"jsonrpc": "2.0", "method": "exit"})
        assert await asyncio.wait_for(raw.process.wait(), 10) == 0
    finally:
        await raw.stop()


async def test_client_without_progress_support_still_gets_its_fix(
    raw: RawServer, tmp_path: Path
) -> None:
    path = tmp_path / "stats.py"
    path.write_text(BUGGY)
    await raw.initialize(tmp_path.as_uri(), {"settings": {"sandbox": SANDBOX, "engine": "offline"}})
    raw.send(
        {
            "jsonrpc": "2.0",
            "method": "textDocument/didOpen",
            "params": {
                "textDocument": {
                    "uri": path.as_uri(),
                    "languageId": "python",
                    "version": 1,
                    "text": BUGGY,
                }
            },
        }
    )
    reply = await raw.request(
        2,
        "workspace/executeCommand",
        {"command": "fixloop.fix", "arguments": [{"uri": path.as_uri(), "version": 1}]},
    )
    result = reply["result"]
    assert result["verified"] is True, result
    # No documentChanges capability: the edit comes as a plain `changes` map.
    assert list(result["edit"]) == ["changes"] and path.as_uri() in result["edit"]["changes"]
    assert (
        raw.server_requests == []
    )  # no window/workDoneProgress/create, no workspace/configuration
    assert not [n for n in raw.notifications if n["method"] == "$/progress"]
