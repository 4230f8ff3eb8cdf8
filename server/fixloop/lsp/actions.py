"""Code actions: cheap by construction, they only read the request and cached state.

- On a fixloop diagnostic in a module: "Debug and fix: <ExceptionType>" (or "failing test"), a
  quick fix whose command starts the loop on the enclosing function.
- On a failing test in a test file: "Debug and fix the code under test", which fixes the module
  the failure was traced to with that test as the oracle (tests are never edited).
- On an error from any other source (Pylance, Ruff, mypy, a task's problem matcher): "Debug and
  fix (Fixloop)"; when the source is a known command-line checker the request carries it.
- On a non-empty selection in a Python document: "Debug and fix selection" and "Generate tests
  for selection".
- When a loop proved a fix for the document's current version: "Apply verified fix: <summary>
  (<proof>)", preferred, carrying the versioned edit.
No sandbox, model or parsing happens here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lsprotocol import types

from fixloop.checker_oracle import CheckerTarget
from fixloop.lsp.checkers import checker_json, tool_for_source
from fixloop.lsp.context import ServerContext
from fixloop.lsp.diagnostics import SOURCE, TEST_FAILURE
from fixloop.lsp.testplaces import is_test_path

DEBUG_FOREIGN = "Debug and fix (Fixloop)"
DEBUG_UNDER_TEST = "Debug and fix the code under test"


def _action(
    title: str, command: str, argument: Mapping[str, Any], diagnostic: types.Diagnostic | None
) -> types.CodeAction:
    return types.CodeAction(
        title=title,
        kind=types.CodeActionKind.QuickFix,
        diagnostics=[diagnostic] if diagnostic is not None else None,
        command=types.Command(title=title, command=command, arguments=[dict(argument)]),
    )


def _under_test(uri: str, diagnostic: types.Diagnostic) -> types.CodeAction | None:
    """The test file's quick fix: fix the module under test, with the failing test as oracle."""
    data = diagnostic.data if isinstance(diagnostic.data, Mapping) else {}
    test = data.get("test")
    if not isinstance(test, str):
        return None
    argument: dict[str, Any] = {"uri": uri, "test": test, "line": diagnostic.range.start.line + 1}
    if isinstance(data.get("module"), str):
        argument["module"] = data["module"]
    return _action(DEBUG_UNDER_TEST, "fixloop.fixTest", argument, diagnostic)


def _foreign(
    server: ServerContext, uri: str, version: int, diagnostic: types.Diagnostic
) -> types.CodeAction:
    argument: dict[str, Any] = {
        "uri": uri,
        "version": version,
        "range": server.to_json(diagnostic.range),
        "scope": "function",
    }
    tool = tool_for_source(diagnostic.source)
    if tool is not None:
        code = diagnostic.code
        checker = CheckerTarget(
            tool,
            None if code is None else str(code),
            diagnostic.range.start.line + 1,
            diagnostic.message,
        )
        argument["checker"] = checker_json(checker)
    return _action(DEBUG_FOREIGN, "fixloop.fix", argument, diagnostic)


def code_actions(server: ServerContext, params: types.CodeActionParams) -> list[types.CodeAction]:
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
    is_test_file = is_test_path(server.path_of(uri)) if uri.startswith("file:") else False
    if fix is None and is_test_file:
        # Tests are never edited: a failing test offers to fix the code it exercises.
        failing = [d for d in ours if d.code == TEST_FAILURE]
        action = _under_test(uri, failing[0]) if failing else None
        if action is not None:
            actions.append(action)
    elif fix is None and ours:
        diagnostic = ours[0]
        title = f"Debug and fix: {'failing test' if diagnostic.code == TEST_FAILURE else diagnostic.code}"
        argument = {
            "uri": uri,
            "version": document.version,
            "range": server.to_json(diagnostic.range),
            "scope": "function",
        }
        actions.append(_action(title, "fixloop.fix", argument, diagnostic))
    foreign = [
        d
        for d in params.context.diagnostics
        if d.source != SOURCE and d.severity == types.DiagnosticSeverity.Error
    ]
    if fix is None and not ours and foreign and not is_test_file:
        actions.append(_foreign(server, uri, document.version, foreign[0]))
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
