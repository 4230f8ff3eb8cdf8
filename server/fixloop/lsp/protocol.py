"""JSON-RPC hygiene pygls leaves to the server: what to answer when the input is wrong.

`FixloopProtocol` answers a request that arrives before `initialize` with ServerNotInitialized
(-32002) and drops early notifications; answers a request with unreadable params under its own
id; and turns bytes that are not JSON (-32700) or JSON that is not a JSON-RPC 2.0 message
(-32600) into error responses with `"id": null`, instead of pygls' default error popup. None of
these stop the server. `$/cancelRequest` also reaches the command the request started.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote

from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.language_server import lsp_method

from fixloop.lsp.edits import UTF16, offset_at

log = logging.getLogger(__name__)

_SERVER_NOT_INITIALIZED = -32002
_ANSWERED = object()  # a message whose error response was already sent while reading it


class FixloopProtocol(LanguageServerProtocol):
    """pygls' protocol plus the checks the spec asks of a server before `initialize`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initialize_seen = False
        # Command tasks by request id: pygls cancels only the executeCommand request's outer
        # future on $/cancelRequest, so the command itself is cancelled from here.
        self.command_tasks: dict[Any, asyncio.Task[Any]] = {}

    def structure_message(self, data: dict[str, Any]) -> Any:
        try:
            return super().structure_message(data)
        except JsonRpcException as exc:
            # Bad params in a request we can identify: answer that request, not an anonymous error.
            if isinstance(data.get("method"), str) and isinstance(data.get("id"), (str, int)):
                self._send_response(data["id"], error=exc.to_response_error())
                return _ANSWERED
            raise

    def handle_message(self, message: Any) -> None:
        if message is _ANSWERED:
            return
        if isinstance(message, Mapping):  # an object without "jsonrpc"
            msg_id = message.get("id")
            self.send_invalid_message_error(
                TypeError('missing "jsonrpc": "2.0"'),
                msg_id if isinstance(msg_id, (str, int)) else None,
            )
            return
        if not hasattr(message, "jsonrpc"):
            raise TypeError("not a JSON-RPC 2.0 message object")
        if message.jsonrpc != "2.0":
            msg_id = getattr(message, "id", None)
            if msg_id is not None and hasattr(message, "method"):
                self._send_response(
                    msg_id,
                    error=types.ResponseError(
                        code=-32600, message='invalid request: jsonrpc must be "2.0"'
                    ),
                )
            return
        super().handle_message(message)

    def _handle_request(self, msg_id: Any, method_name: str, params: Any) -> None:
        if method_name == types.INITIALIZE:
            self.initialize_seen = True
        elif not self.initialize_seen:
            self._send_response(
                msg_id,
                error=types.ResponseError(
                    code=_SERVER_NOT_INITIALIZED, message="the server is not initialized yet"
                ),
            )
            return
        super()._handle_request(msg_id, method_name, params)

    def _handle_cancel_notification(self, msg_id: Any) -> None:
        super()._handle_cancel_notification(msg_id)
        task = self.command_tasks.pop(msg_id, None)
        if task is not None and not task.done():
            task.cancel()

    def _handle_notification(self, method_name: str, params: Any) -> None:
        if not self.initialize_seen and method_name != types.EXIT:
            log.warning("dropping %s: the server is not initialized yet", method_name)
            return
        super()._handle_notification(method_name, params)

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params: types.DidChangeTextDocumentParams) -> Any:
        """Apply incremental changes with LSP's line breaks only (\\n, \\r\\n, \\r).

        pygls splits lines with `str.splitlines`, which also breaks at form feeds, \\x1c-\\x1e,
        \\x85 and U+2028/9, so an edit below such a character lands on the wrong line and the
        server's text silently diverges from the editor's. Each change is applied here to the
        text by offsets and stored as a whole-document change.
        """
        uri = params.text_document.uri
        encoding = str(self.workspace.position_encoding or UTF16)
        for change in params.content_changes:
            document = self.workspace.text_documents.get(unquote(uri))
            if document is not None and isinstance(change, types.TextDocumentContentChangePartial):
                text = document.source
                start = offset_at(text, change.range.start, encoding)
                end = max(start, offset_at(text, change.range.end, encoding))
                change = types.TextDocumentContentChangeWholeDocument(
                    text=text[:start] + change.text + text[end:]
                )
            self.workspace.update_text_document(params.text_document, change)
        if (handler := self.fm.features.get(types.TEXT_DOCUMENT_DID_CHANGE)) is not None:
            yield handler, (params,), None

    def send_invalid_message_error(self, error: Exception, msg_id: str | int | None = None) -> None:
        """Answer an unreadable message: -32700 for bad JSON, -32600 for a non-message."""
        code = -32700 if isinstance(error, ValueError) else -32600
        kind = "parse error" if code == -32700 else "invalid request"
        # JSON-RPC 2.0: an error about a message whose id cannot be read carries `"id": null`
        # (pygls' response type would drop a None id, so this one is written as a plain object).
        self._send_data(
            {"jsonrpc": "2.0", "id": msg_id, "error": {"code": code, "message": f"{kind}: {error}"}}
        )
