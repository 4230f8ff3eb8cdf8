"""The fixloop language server: pygls wiring, settings and document events.

`FixloopServer` holds what the handlers share (settings, per-document state, the client's
capabilities) and `build_server` wires the LSP methods and `fixloop.*` commands onto it. Handlers
are short: they parse the request, read or update per-document state, and hand over to
`features` (commands) or `actions` (code actions). Unreadable input is answered by
`protocol.FixloopProtocol`; log records at warning and above also reach the client as
window/logMessage, so a user sees what went wrong without opening a terminal.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pygls.lsp.server import LanguageServer

from fixloop import __version__
from fixloop.lsp.actions import code_actions
from fixloop.lsp.config import SECTION, parse_settings, settings_section
from fixloop.lsp.documents import DocumentStates
from fixloop.lsp.edits import UTF16
from fixloop.lsp.errors import STALE_REASON, CommandError, ErrorCode
from fixloop.lsp.features import COMMANDS, guarded
from fixloop.lsp.protocol import FixloopProtocol
from fixloop.lsp.queue import WorkQueue
from fixloop.lsp.runs import run_file_command
from fixloop.settings import Settings

log = logging.getLogger(__name__)


class FixloopServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("fixloop", __version__, protocol_cls=FixloopProtocol)
        self.settings = Settings()
        self.documents = DocumentStates()
        self.work_queue = WorkQueue()
        self._settings_generation = 0
        self._initialized = False
        self._background: set[asyncio.Future[None]] = set()

    # ----- errors and logging -------------------------------------------------------------
    def report_server_error(self, error: Exception, source: Any) -> None:
        if source is JsonRpcException and isinstance(self.protocol, FixloopProtocol):
            self.protocol.send_invalid_message_error(error)
            return
        log.error("%s: %s", getattr(source, "__name__", source), error)

    def log_to_client(self, message: str, kind: types.MessageType = types.MessageType.Info) -> None:
        self.window_log_message(types.LogMessageParams(type=kind, message=message))

    def apply_settings(self, raw: Any) -> None:
        self._settings_generation += 1
        self.settings, problems = parse_settings(raw)
        for problem in problems:
            self.window_show_message(
                types.ShowMessageParams(type=types.MessageType.Warning, message=problem)
            )
        self.log_to_client(f"settings: {self.settings}")
        self.warm_sandbox()

    def warm_sandbox(self) -> None:
        """Open the shared sandbox the settings choose and start its spares in the background
        (closing one that other settings chose), so the next Run File finds them waiting."""
        folders = self.folders()
        if not self._initialized or not folders:
            return  # no workspace folder: nothing to copy ahead (the cwd could be anything)
        task = asyncio.ensure_future(_warm(self.settings, folders[0]))
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def pull_settings(self) -> None:
        workspace = getattr(self.client_capabilities, "workspace", None)
        if not (workspace and workspace.configuration):
            return
        generation = self._settings_generation
        try:
            items = await self.workspace_configuration_async(
                types.ConfigurationParams(items=[types.ConfigurationItem(section=SECTION)])
            )
        except Exception as exc:  # a client that cannot answer keeps the settings we have
            log.info("workspace/configuration failed: %s", exc)
            return
        if generation != self._settings_generation:
            return  # settings pushed while we asked are newer than this answer
        if items and isinstance(items[0], Mapping):
            self.apply_settings(items[0])

    # ----- documents ----------------------------------------------------------------------
    @property
    def encoding(self) -> str:
        return str(self.workspace.position_encoding or UTF16)

    @property
    def supports_document_changes(self) -> bool:
        workspace = getattr(self.client_capabilities, "workspace", None)
        edit = workspace.workspace_edit if workspace else None
        return bool(edit and edit.document_changes)

    @property
    def supports_create_files(self) -> bool:
        workspace = getattr(self.client_capabilities, "workspace", None)
        edit = workspace.workspace_edit if workspace else None
        operations = (edit.resource_operations or []) if edit else []
        return bool(
            edit and edit.document_changes and types.ResourceOperationKind.Create in operations
        )

    def path_of(self, uri: str) -> str:
        parsed = urlparse(uri)
        if parsed.scheme not in ("file", ""):
            raise CommandError(f"only files on disk can be run, not {parsed.scheme}: documents")
        return unquote(parsed.path) if parsed.scheme else uri

    def folders(self) -> list[Path]:
        roots = [Path(self.path_of(folder.uri)) for folder in self.workspace.folders.values()]
        if self.workspace.root_path:
            roots.append(Path(self.workspace.root_path))
        return roots

    def default_folder(self) -> Path:
        folders = self.folders()
        return folders[0] if folders else Path.cwd()

    def open_document(self, uri: str) -> Any:
        """The open document at `uri`, or None (pygls keys documents by the unquoted uri)."""
        return self.workspace.text_documents.get(unquote(uri))

    def file_text(self, path: Path) -> str:
        document = self.open_document(path.as_uri())
        if document is not None:
            return document.source
        try:
            return path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""

    def publish(
        self, owner: str, by_uri: Mapping[str, list[types.Diagnostic]], version: int | None
    ) -> None:
        """Publish diagnostics found for `owner`; clear the ones it published before elsewhere."""
        state = self.documents.get(owner)
        for uri in state.published - set(by_uri):
            self.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=uri, diagnostics=[])
            )
        for uri, diagnostics in by_uri.items():
            self.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(
                    uri=uri, diagnostics=diagnostics, version=version if uri == owner else None
                )
            )
        state.published = {uri for uri, diagnostics in by_uri.items() if diagnostics}

    def invalidate(self, uri: str, reason: str, code: ErrorCode = ErrorCode.CANCELLED) -> None:
        """Forget everything computed for `uri`: running work, the fix and its diagnostics."""
        state = self.documents.peek(uri)
        if state is None:
            return
        state.cancel(reason, code)
        state.fix = None
        if state.published:
            self.publish(uri, {}, None)

    def to_json(self, value: Any) -> Any:
        # pygls' own converter (lsprotocol's plus structure hooks only): building a second one
        # cost ~100 ms on the first code action.
        return self.protocol._converter.unstructure(value)


class ClientLogHandler(logging.Handler):
    """Forward fixloop's warnings and errors to the client as window/logMessage."""

    def __init__(self, server: FixloopServer) -> None:
        super().__init__(logging.WARNING)
        self._server = server
        self._sending = False

    def emit(self, record: logging.LogRecord) -> None:
        # Only from the event loop's thread (the writer is not thread-safe), never re-entrantly.
        if self._sending or threading.current_thread() is not threading.main_thread():
            return
        protocol = self._server.protocol
        # Before `initialize` the spec allows the server to send nothing at all.
        if getattr(protocol, "writer", None) is None or not getattr(
            protocol, "initialize_seen", False
        ):
            return
        self._sending = True
        try:
            kind = (
                types.MessageType.Error
                if record.levelno >= logging.ERROR
                else types.MessageType.Warning
            )
            self._server.log_to_client(self.format(record), kind)
        except Exception:  # logging must never take the server down
            pass
        finally:
            self._sending = False


def build_server() -> FixloopServer:
    server = FixloopServer()
    logging.getLogger("fixloop").addHandler(ClientLogHandler(server))

    @server.feature(types.INITIALIZE)
    def initialize(ls: FixloopServer, params: types.InitializeParams) -> None:
        ls.apply_settings(params.initialization_options)

    @server.feature(types.INITIALIZED)
    async def initialized(ls: FixloopServer, params: types.InitializedParams) -> None:
        ls._initialized = True
        ls.warm_sandbox()  # with the settings of `initialize`; a pulled change warms again
        await ls.pull_settings()

    @server.feature(types.SHUTDOWN)
    async def shutdown(ls: FixloopServer, params: None) -> None:
        from fixloop.sandbox.shared import close_all

        await close_all()

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def changed_configuration(
        ls: FixloopServer, params: types.DidChangeConfigurationParams
    ) -> None:
        # Push-style clients send the section; pull-style ones (VS Code) send null: ask back.
        section = settings_section(params.settings)
        if section and _SETTING_KEYS.intersection(section):
            ls.apply_settings(section)
        else:
            await ls.pull_settings()

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: FixloopServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.documents.get(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: FixloopServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.invalidate(params.text_document.uri, STALE_REASON, ErrorCode.STALE)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: FixloopServer, params: types.DidSaveTextDocumentParams) -> None:
        if ls.settings.run_on_save:
            # Guarded like the command: a stale or sandbox-less run is an answer, not a crash.
            run = guarded("fixloop.runFile", run_file_command)
            task = asyncio.ensure_future(run(ls, {"uri": params.text_document.uri}))
            task.add_done_callback(_log_failure)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: FixloopServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.invalidate(params.text_document.uri, "the document was closed")
        ls.documents.forget(params.text_document.uri)

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(
            code_action_kinds=[
                types.CodeActionKind.QuickFix,
                types.CodeActionKind.Refactor,
                types.CodeActionKind.RefactorRewrite,
            ]
        ),
    )
    def code_action(ls: FixloopServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        return code_actions(ls, params)

    for name, handler in COMMANDS.items():
        server.command(name)(guarded(name, handler))
    return server


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


# A pushed section names at least one setting, in package.json's camelCase or in snake_case.
_SETTING_KEYS = frozenset(Settings.__dataclass_fields__) | {
    _camel(name) for name in Settings.__dataclass_fields__
}


async def _warm(settings: Settings, root: Path) -> None:
    from fixloop.execution import warm_shared
    from fixloop.sandbox import SandboxUnavailable

    try:
        await warm_shared(settings, root)
    except SandboxUnavailable as exc:  # each run answers sandbox-unavailable with this reason
        log.info("sandbox not warmed: %s", exc)
    except Exception as exc:  # noqa: BLE001 - warming is an optimisation; runs report errors
        log.warning("sandbox not warmed: %s", exc)


def _log_failure(task: asyncio.Task[Any]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("background run failed: %s", task.exception())
