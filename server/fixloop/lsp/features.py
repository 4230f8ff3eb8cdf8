"""The server's `fixloop.*` commands: the table `server` registers, and the wrapper around each.

Each command takes one JSON object and returns one. The handlers live in `runs` (runFile,
runTests), `fixing` (fix, fixTest, testTarget, discard), `models` (generateTests, task),
`transcripts` and `sandboxinfo`; the domain modules they call are imported on first use so the
server starts fast. `guarded` turns a `CommandError`, or any exception the domain raised, into
`{ok: false, code, reason}` (see `errors`), so a client always gets an answer it can switch on.
Work that belongs to a document is tracked on its state, so a change to the document cancels it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from lsprotocol import types

from fixloop.lsp.context import ServerContext, argument
from fixloop.lsp.errors import CommandError, ErrorCode, error_for
from fixloop.lsp.fixing import discard_command, fix_command, fix_test_command, test_target_command
from fixloop.lsp.models import TASK_OWNER, generate_tests_command, task_command
from fixloop.lsp.protocol import FixloopProtocol
from fixloop.lsp.runs import run_file_command, run_tests_command
from fixloop.lsp.sandboxinfo import sandbox_command
from fixloop.lsp.sweep import sweep_command, sweep_edit_command
from fixloop.lsp.transcripts import transcript_command

log = logging.getLogger(__name__)
Handler = Callable[[ServerContext, tuple[Any, ...]], "Awaitable[dict[str, Any]] | dict[str, Any]"]


def cancel_command(server: ServerContext, args: tuple[Any, ...]) -> dict[str, Any]:
    raw = argument(args) if args else {}
    uri = raw.get("uri")
    states = [server.documents.get(uri)] if isinstance(uri, str) else server.documents.all()
    cancelled = sum(state.cancel("cancelled by the user") for state in states)
    return {"ok": True, "cancelled": cancelled}


COMMANDS: dict[str, Handler] = {
    "fixloop.fix": fix_command,
    "fixloop.fixTest": fix_test_command,
    "fixloop.testTarget": test_target_command,
    "fixloop.discard": discard_command,
    "fixloop.runFile": run_file_command,
    "fixloop.runTests": run_tests_command,
    "fixloop.generateTests": generate_tests_command,
    "fixloop.task": task_command,
    "fixloop.cancel": cancel_command,
    "fixloop.transcript": transcript_command,
    "fixloop.sandbox": sandbox_command,
    "fixloop.sweep": sweep_command,
    "fixloop.sweepEdit": sweep_edit_command,
}
__all__ = ["COMMANDS", "TASK_OWNER", "guarded"]


def guarded(name: str, handler: Handler) -> Callable[..., Awaitable[dict[str, Any]]]:
    """`handler` as a pygls command: every failure becomes `{ok: false, code, reason}`."""

    # pygls passes the server only to a first parameter named `ls` (or typed as its class).
    async def run(ls: Any, *args: Any) -> dict[str, Any]:
        protocol = ls.protocol
        msg_id = protocol.msg_id
        task = asyncio.current_task()
        tracked = isinstance(protocol, FixloopProtocol) and msg_id is not None
        if tracked and task is not None:
            protocol.command_tasks[msg_id] = task  # so $/cancelRequest reaches this command
        try:
            result = handler(ls, args)
            if isinstance(result, Awaitable):
                result = await result
            return result
        except CommandError as exc:
            return exc.result()
        except Exception as exc:  # SandboxUnavailable, a missing package, a domain bug
            error = error_for(exc, ls.settings.sandbox)
            if error.code is ErrorCode.INTERNAL:
                log.exception("%s failed", name)
                ls.log_to_client(f"{name} failed: {error}", types.MessageType.Error)
            return error.result()
        finally:
            if tracked:
                protocol.command_tasks.pop(msg_id, None)

    return run
