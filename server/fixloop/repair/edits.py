"""Position helpers for the wider operators: whole-line blocks, body insertion points, merged edits.

Several operators need more than one splice (a default becomes `None` *and* a line is added at
the top of the body; a statement leaves a loop body *and* reappears before the loop). The search
carries one `Edit` per candidate, so `merged` joins several non-overlapping splices into one edit
whose text copies the original characters between them verbatim: everything outside the splices
stays byte for byte. The other helpers find where whole lines start and end, where a function
body's first real statement sits, and which nodes belong to a function itself (not to the
functions, classes and lambdas nested in it).
"""

from __future__ import annotations

import ast
from collections import deque
from collections.abc import Iterator, Sequence

from fixloop.repair.source import SourceView, import_area_end
from fixloop.spans import Edit

INDENT = "    "


def merged(source: str, edits: Sequence[Edit]) -> Edit:
    """One edit doing all of `edits` (non-overlapping), with the text between them unchanged."""
    ordered = sorted(edits, key=lambda e: (e.start, e.end))
    for before, after in zip(ordered, ordered[1:], strict=False):
        if before.end > after.start:
            raise ValueError("overlapping edits cannot be merged")
    pieces: list[str] = []
    for index, edit in enumerate(ordered):
        pieces.append(edit.text)
        if index + 1 < len(ordered):
            pieces.append(source[edit.end : ordered[index + 1].start])
    return Edit(ordered[0].start, ordered[-1].end, "".join(pieces))


def block_span(view: SourceView, node: ast.stmt) -> tuple[int, int]:
    """Offsets of the whole lines a statement occupies (from its line start past its newline)."""
    return view.line_start(node.lineno), view.line_end(node.end_lineno or node.lineno)


def owns_lines(view: SourceView, node: ast.stmt) -> bool:
    """True when nothing else shares the statement's lines (no `a = 1; b = 2`, no `if x: y`)."""
    start, end = block_span(view, node)
    first, last = view.span(node)
    head = view.source[start:first]
    tail = view.source[last:end].split("#", 1)[0]
    return not head.strip() and not tail.strip()


def is_docstring(statement: ast.stmt) -> bool:
    return (
        isinstance(statement, ast.Expr)
        and isinstance(statement.value, ast.Constant)
        and isinstance(statement.value.value, str)
    )


def body_insertion(
    view: SourceView, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef
) -> tuple[int, str] | None:
    """(offset, indent) where a new first statement of the body goes, after a docstring.

    None when the body shares the header's line (`def f(): return 1`): lines cannot go there.
    """
    body = node.body
    first = body[1] if len(body) > 1 and is_docstring(body[0]) else body[0]
    if first.lineno == node.lineno or not owns_lines(view, first):
        return None
    return view.line_start(first.lineno), view.indent_of(first.lineno)


def body_end(view: SourceView, node: ast.FunctionDef | ast.AsyncFunctionDef) -> tuple[int, str]:
    """(offset, indent) just past the last statement of a function body."""
    last = node.body[-1]
    return view.line_end(last.end_lineno or last.lineno), view.indent_of(node.body[0].lineno)


def reindented(block: str, old: str, new: str) -> str:
    """`block` with the leading `old` indentation of each line replaced by `new`."""
    out = []
    for line in block.splitlines(keepends=True):
        out.append(new + line[len(old) :] if line.startswith(old) and line.strip() else line)
    return "".join(out)


def own_nodes(root: ast.AST) -> Iterator[ast.AST]:
    """Nodes of `root`'s own code: nested functions, classes and lambdas are not entered."""
    queue = deque(ast.iter_child_nodes(root))
    while queue:
        node = queue.popleft()
        yield node
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            queue.extend(ast.iter_child_nodes(node))


def enclosing(view: SourceView, node: ast.AST, kinds: tuple[type, ...]) -> Iterator[ast.AST]:
    """Ancestors of `node` of the given kinds, innermost first, up to its function."""
    current = view.parent(node)
    while current is not None:
        if isinstance(current, kinds):
            yield current
        if isinstance(current, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            return
        current = view.parent(current)


def module_imports(view: SourceView) -> dict[str, str]:
    """Top-level imports as {bound name: what it refers to}, e.g. {"dt": "datetime.datetime"}."""
    bound: dict[str, str] = {}
    for node in view.tree.body:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    bound[alias.asname] = alias.name
                else:
                    top = alias.name.split(".")[0]
                    bound[top] = top
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                bound[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return bound


def name_for(view: SourceView, dotted: str) -> str | None:
    """How this file spells `dotted` (e.g. "collections.defaultdict") with its own imports."""
    imports = module_imports(view)
    for bound, target in imports.items():
        if target == dotted:
            return bound
    module, _, attribute = dotted.rpartition(".")
    for bound, target in imports.items():
        if target == module:
            return f"{bound}.{attribute}"
    return None


def header_import(view: SourceView, statement: str) -> Edit:
    """Insert `statement` (e.g. "import asyncio") after the file's docstring and imports."""
    after = import_area_end(view)
    offset = view.line_end(after) if after else 0
    return Edit(offset, offset, statement + "\n")


def nodes_on(view: SourceView, line: int) -> list[ast.AST]:
    """The nodes of the statement starting on `line`: all of a simple statement, the header of a
    compound one (the test of an `if`, the target and iterable of a `for`), never nested bodies.

    Operators that run for every suspicious line look here instead of walking the whole tree.
    """
    statements = view.statements_on(line)
    return _statement_nodes(statements[0]) if statements else []


def _statement_nodes(statement: ast.stmt) -> list[ast.AST]:
    roots: list[ast.AST]
    if isinstance(statement, (ast.If, ast.While)):
        roots = [statement.test]
    elif isinstance(statement, (ast.For, ast.AsyncFor)):
        roots = [statement.target, statement.iter]
    elif isinstance(statement, (ast.With, ast.AsyncWith)):
        roots = [item.context_expr for item in statement.items]
    elif hasattr(statement, "body"):
        roots = []  # a def, class or try: its header holds no expression worth editing here
    else:
        roots = [statement]
    return [node for root in roots for node in (root, *own_nodes(root))]


def expressions_at(view: SourceView, line: int) -> list[ast.expr]:
    """Expressions on `line`, as a traceback frame names it: the frame's line may lie inside a
    statement that starts earlier (a call spread over several lines)."""
    statements = view.statements_on(line)
    if not statements:
        function = view.function_at(line)
        scope: ast.AST = function.node if function is not None else view.tree
        covering = [
            node
            for node in ast.walk(scope)
            if isinstance(node, ast.stmt) and node.lineno <= line <= (node.end_lineno or 0)
        ]
        statements = (
            [max(covering, key=lambda s: (s.lineno, -(s.end_lineno or 0)))] if covering else []
        )
    return [
        node
        for statement in statements
        for node in _statement_nodes(statement)
        if isinstance(node, ast.expr) and node.lineno <= line <= (node.end_lineno or node.lineno)
    ]


def inner_span(view: SourceView, call: ast.Call, argument: ast.expr) -> tuple[int, int]:
    """Where an argument's own text sits inside a call.

    A lone generator argument (`sorted(x for x in xs)`) shares the call's parentheses, and `ast`
    counts them in its span; splicing there must leave them to the call.
    """
    start, end = view.span(argument)
    if isinstance(argument, ast.GeneratorExp) and end == view.span(call)[1]:
        return start + 1, end - 1
    return start, end
