"""A bare JSON-RPC-over-pipes client for feeding the server bytes no real client would send.

Every message the server writes is read by one reader: responses to the requests sent here are
kept by id (many may be in flight at once), notifications are kept in order, and server
requests are answered with `null` (so a `window/workDoneProgress/create` is accepted). The
server's stderr is kept too, for tests that check what it logged.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from .conftest import server_command, server_env


class RawServer:
    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.notifications: list[dict[str, Any]] = []
        self.server_requests: list[dict[str, Any]] = []
        # Responses not asked for yet, by id, oldest first (errors about unreadable input all
        # carry the id null).
        self.responses: dict[Any, list[dict[str, Any]]] = {}
        self.stray: list[dict[str, Any]] = []  # responses to ids no request here used
        self._sent: set[Any] = set()
        self.stderr = bytearray()
        self._stderr_task = (
            asyncio.ensure_future(self._drain_stderr()) if process.stderr is not None else None
        )

    @classmethod
    async def start(
        cls, command: list[str] | None = None, env: dict[str, str] | None = None
    ) -> RawServer:
        command = command or server_command()
        process = await asyncio.create_subprocess_exec(
            *command,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env={**server_env(), **(env or {})},
        )
        return cls(process)

    async def _drain_stderr(self) -> None:
        assert self.process.stderr is not None
        while chunk := await self.process.stderr.read(65536):
            self.stderr += chunk

    def send_bytes(self, data: bytes) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(data)

    def send_body(self, body: bytes) -> None:
        self.send_bytes(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    def send(self, message: Any) -> None:
        self.send_body(json.dumps(message).encode())

    async def read(self, timeout: float = 15) -> dict[str, Any]:
        assert self.process.stdout is not None
        length = None
        while True:
            line = await asyncio.wait_for(self.process.stdout.readline(), timeout)
            if not line:
                raise EOFError("the server closed its stdout")
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
            elif line == b"\r\n" and length is not None:
                break
            elif not line.lower().startswith(b"content-type:"):
                raise AssertionError(f"not JSON-RPC framing on the server's stdout: {line[:200]!r}")
        return json.loads(await asyncio.wait_for(self.process.stdout.readexactly(length), timeout))

    async def pump_one(self, timeout: float = 15) -> None:
        """Read one message and file it: a response by id, a notification, a server request."""
        message = await self.read(timeout)
        if "method" in message:
            if "id" in message:
                self.server_requests.append(message)
                self.send({"jsonrpc": "2.0", "id": message["id"], "result": None})
            else:
                self.notifications.append(message)
            return
        msg_id = message.get("id")
        if msg_id in self._sent:
            self.responses.setdefault(msg_id, []).append(message)
        else:
            self.stray.append(message)

    async def response(self, msg_id: Any, timeout: float = 15) -> dict[str, Any]:
        """The response to request `msg_id` sent with `request` or `command` (read now, or
        kept from an earlier read). For any other id (null for unreadable input, or a request
        written as raw bytes): the next such response read from now on."""
        if msg_id not in self._sent:
            self.stray.clear()
            while True:
                await self.pump_one(timeout)
                for message in self.stray:
                    if message.get("id") == msg_id:
                        self.stray.remove(message)
                        return message
        while not self.responses.get(msg_id):
            await self.pump_one(timeout)
        return self.responses[msg_id].pop(0)

    async def request(self, msg_id: Any, method: str, params: Any = None) -> dict[str, Any]:
        self._sent.add(msg_id)
        self.send({"jsonrpc": "2.0", "id": msg_id, "method": method, "params": params})
        return await self.response(msg_id)

    def command(self, msg_id: Any, name: str, argument: Any) -> None:
        """Send `workspace/executeCommand` without waiting for its answer."""
        self._sent.add(msg_id)
        self.send(
            {
                "jsonrpc": "2.0",
                "id": msg_id,
                "method": "workspace/executeCommand",
                "params": {"command": name, "arguments": [argument]},
            }
        )

    def open(self, uri: str, text: str, version: int = 1) -> None:
        self.send(
            {
                "jsonrpc": "2.0",
                "method": "textDocument/didOpen",
                "params": {
                    "textDocument": {
                        "uri": uri,
                        "languageId": "python",
                        "version": version,
                        "text": text,
                    }
                },
            }
        )

    async def initialize(
        self, root_uri: str | None, options: Any = None, capabilities: Any = None
    ) -> None:
        reply = await self.request(
            1,
            "initialize",
            {
                "processId": None,
                "rootUri": root_uri,
                "capabilities": capabilities or {},
                "initializationOptions": options,
            },
        )
        assert "capabilities" in reply["result"]
        self.send({"jsonrpc": "2.0", "method": "initialized", "params": {}})

    async def shutdown_and_exit(self, timeout: float = 20) -> int:
        assert (await self.request("shutdown", "shutdown"))["result"] is None
        self.send({"jsonrpc": "2.0", "method": "exit"})
        return await asyncio.wait_for(self.process.wait(), timeout)

    async def close_stdin_and_wait(self, timeout: float = 20) -> int:
        assert self.process.stdin is not None
        self.process.stdin.close()
        return await asyncio.wait_for(self.process.wait(), timeout)

    async def all_stderr(self) -> bytes:
        """Everything the server wrote on stderr (waits for it to close)."""
        if self._stderr_task is not None:
            await asyncio.wait_for(self._stderr_task, 20)
        return bytes(self.stderr)

    def kill(self) -> None:
        if self.process.returncode is None:
            self.process.kill()
        if self._stderr_task is not None:
            self._stderr_task.cancel()

    async def stop(self) -> None:
        """Kill the server (when still running) and collect it."""
        self.kill()
        await self.process.wait()
