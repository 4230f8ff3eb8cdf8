"""A bare JSON-RPC-over-pipes client for feeding the server bytes no real client would send."""

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

    @classmethod
    async def start(cls, command: list[str] | None = None) -> RawServer:
        command = command or server_command()
        process = await asyncio.create_subprocess_exec(
            *command,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
            env=server_env(),
        )
        return cls(process)

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

    async def response(self, msg_id: Any, timeout: float = 15) -> dict[str, Any]:
        """The response with `msg_id`; notifications on the way are kept, server requests refused."""
        while True:
            message = await self.read(timeout)
            if "method" in message:
                if "id" in message:
                    self.server_requests.append(message)
                    self.send({"jsonrpc": "2.0", "id": message["id"], "result": None})
                else:
                    self.notifications.append(message)
                continue
            if message.get("id") == msg_id:
                return message

    async def request(self, msg_id: Any, method: str, params: Any = None) -> dict[str, Any]:
        self.send({"jsonrpc": "2.0", "id": msg_id, "method": method, "params": params})
        return await self.response(msg_id)

    async def initialize(self, root_uri: str | None, options: Any = None) -> None:
        reply = await self.request(
            1,
            "initialize",
            {
                "processId": None,
                "rootUri": root_uri,
                "capabilities": {},
                "initializationOptions": options,
            },
        )
        assert "capabilities" in reply["result"]
        self.send({"jsonrpc": "2.0", "method": "initialized", "params": {}})

    async def close_stdin_and_wait(self, timeout: float = 20) -> int:
        assert self.process.stdin is not None
        self.process.stdin.close()
        return await asyncio.wait_for(self.process.wait(), timeout)

    def kill(self) -> None:
        if self.process.returncode is None:
            self.process.kill()
