"""Code actions: cheap by construction, they only read the request and cached state.

On a fixloop diagnostic: "Debug and fix: <ExceptionType>" (or "failing test"), a quick fix whose
command starts the loop on the enclosing function. On a non-empty selection in a Python
document: "Debug and fix selection" and "Generate tests for selection". When a loop proved a fix
for the document's current version: "Apply verified fix: <summary> (<proof>)", preferred,
carrying the versioned edit. No sandbox, model or parsing happens here.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from lsprotocol import types

from fixloop.lsp.diagnostics import SOURCE, TEST_FAILURE

if TYPE_CHECKING:
    from fixloop.lsp.server import FixloopServer


def code_actions(server: FixloopServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    """Cheap by design: reads the request and cached state, never runs or parses anything."""
    uri = params.text_document.uri
    document = server.open_document(uri)
    if document is None:
        return []
    actions: list[types.CodeAction] = []
    ours = [d for d in params.context.diagnostics if d.source == SOURCE]
    state = server.documents.peek(uri)
    fix = state.fix_for(document.version) if state else None
    if fix is not None:
        actions.append(
            types.CodeAction(
                title=fix.title,
                kind=types.CodeActionKind.QuickFix,
                diagnostics=ours or None,
                is_preferred=True,
                edit=fix.edit,
            )
        )
    is_test_file = Path(uri).name.startswith("test_") or uri.endswith("_test.py")
    fixable = [
        d for d in ours if not (is_test_file and d.code == TEST_FAILURE)
    ]  # tests are never edited
    for diagnostic in fixable[:1] if fix is None else []:
        title = f"Debug and fix: {'failing test' if diagnostic.code == TEST_FAILURE else diagnostic.code}"
        argument = {
            "uri": uri,
            "version": document.version,
            "range": server.to_json(diagnostic.range),
            "scope": "function",
        }
        actions.append(
            types.CodeAction(
                title=title,
                kind=types.CodeActionKind.QuickFix,
                diagnostics=[diagnostic],
                command=types.Command(title=title, command="fixloop.fix", arguments=[argument]),
            )
        )
    selection = params.range
    is_python = document.language_id == "python" or uri.endswith(".py")
    if is_python and selection.start != selection.end:
        argument = {"uri": uri, "version": document.version, "range": server.to_json(selection)}
        for title, kind, command in (
            ("Debug and fix selection", types.CodeActionKind.RefactorRewrite, "fixloop.fix"),
            (
                "Generate tests for selection",
                types.CodeActionKind.Refactor,
                "fixloop.generateTests",
            ),
        ):
            actions.append(
                types.CodeAction(
                    title=title,
                    kind=kind,
                    command=types.Command(title=title, command=command, arguments=[argument]),
                )
            )
    only = params.context.only
    if only:
        actions = [
            a
            for a in actions
            if any(str(a.kind) == k or str(a.kind).startswith(f"{k}.") for k in only)
        ]
    return actions
