"""A parsed view of the file under repair: node spans as character offsets, scopes and names.

The offline engine never re-prints a tree. It asks `SourceView` for the exact characters a node
covers (`span`, `text`) and builds `Edit`s on those offsets, so everything else in the file stays
as the user wrote it. `ast` reports columns in UTF-8 bytes; this view converts them to character
offsets per line, so non-ASCII identifiers and strings splice correctly.
"""

from __future__ import annotations

import ast
import builtins
from dataclasses import dataclass
from functools import cached_property

from fixloop import pyast
from fixloop.patch import line_offsets
from fixloop.spans import LineRange

COMMON_BUILTINS = (
    "len",
    "min",
    "max",
    "sum",
    "abs",
    "sorted",
    "reversed",
    "range",
    "list",
    "dict",
    "set",
    "str",
    "int",
    "float",
    "any",
    "all",
    "enumerate",
    "zip",
    "round",
    "tuple",
    "isinstance",
)


@dataclass(frozen=True)
class Function:
    name: str
    start: int  # first line (decorators included)
    end: int
    node: ast.FunctionDef | ast.AsyncFunctionDef


class SourceView:
    def __init__(self, source: str) -> None:
        self.source = source
        self.tree = pyast.parse(source)
        self.offsets = line_offsets(source)
        self.lines = source.splitlines(keepends=True)
        self._parents: dict[ast.AST, ast.AST] = {}
        for parent in ast.walk(self.tree):
            for child in ast.iter_child_nodes(parent):
                self._parents[child] = parent

    def parent(self, node: ast.AST) -> ast.AST | None:
        return self._parents.get(node)

    def _char_col(self, line: int, byte_col: int) -> int:
        text = self.lines[line - 1] if line - 1 < len(self.lines) else ""
        if text.isascii():
            return byte_col
        return len(text.encode("utf-8")[:byte_col].decode("utf-8", errors="replace"))

    def span(self, node: ast.AST) -> tuple[int, int]:
        start_line = node.lineno  # type: ignore[attr-defined]
        end_line = node.end_lineno  # type: ignore[attr-defined]
        start = self.offsets[start_line - 1] + self._char_col(start_line, node.col_offset)  # type: ignore[attr-defined]
        end = self.offsets[end_line - 1] + self._char_col(end_line, node.end_col_offset)  # type: ignore[attr-defined]
        return start, end

    def text(self, node: ast.AST) -> str:
        start, end = self.span(node)
        return self.source[start:end]

    def line_start(self, line: int) -> int:
        return self.offsets[line - 1]

    def line_end(self, line: int) -> int:
        """Offset just past the newline of `line` (or the end of the file)."""
        return self.offsets[line] if line < len(self.offsets) else len(self.source)

    def indent_of(self, line: int) -> str:
        text = self.lines[line - 1] if line - 1 < len(self.lines) else ""
        return text[: len(text) - len(text.lstrip(" \t"))]

    @cached_property
    def functions(self) -> list[Function]:
        found = []
        for node in ast.walk(self.tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                first = min([node.lineno] + [d.lineno for d in node.decorator_list])
                found.append(Function(node.name, first, node.end_lineno or node.lineno, node))
        return sorted(found, key=lambda f: (f.start, f.end))

    def function_at(self, line: int) -> Function | None:
        """The innermost function containing `line`."""
        best = None
        for function in self.functions:
            if function.start <= line <= function.end:
                if best is None or function.start >= best.start:
                    best = function
        return best

    @cached_property
    def _statements_by_line(self) -> dict[int, list[ast.stmt]]:
        index: dict[int, list[ast.stmt]] = {}
        for node in ast.walk(self.tree):
            if isinstance(node, ast.stmt):
                index.setdefault(node.lineno, []).append(node)
        return index

    def statements_on(self, line: int) -> list[ast.stmt]:
        """Simple-or-compound statements that start on `line`, outermost first."""
        return self._statements_by_line.get(line, [])

    def names_in_scope(self, line: int) -> list[str]:
        """Variables visible at `line`: the function's parameters and locals, then globals."""
        names: list[str] = []
        function = self.function_at(line)
        if function is not None:
            args = function.node.args
            for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs]:
                names.append(arg.arg)
            if args.vararg:
                names.append(args.vararg.arg)
            for node in ast.walk(function.node):
                if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                    names.append(node.id)
                elif isinstance(node, ast.arg):
                    names.append(node.arg)
        names.extend(self.global_names)
        return list(dict.fromkeys(names))

    @cached_property
    def global_names(self) -> list[str]:
        names: list[str] = []
        for node in self.tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.append(node.name)
            elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    for sub in ast.walk(target):
                        if isinstance(sub, ast.Name):
                            names.append(sub.id)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                for alias in node.names:
                    names.append((alias.asname or alias.name).split(".")[0])
        return names

    @cached_property
    def attribute_names(self) -> list[str]:
        names = []
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Attribute):
                names.append(node.attr)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                names.append(node.name)
        return list(dict.fromkeys(names))

    def is_builtin(self, name: str) -> bool:
        return hasattr(builtins, name)


def import_area_end(view: SourceView) -> int:
    """Line after which a new top-level import goes (after the docstring and existing imports)."""
    last = 0
    for index, node in enumerate(view.tree.body):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            last = node.end_lineno or node.lineno
        elif index == 0 and isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            last = node.end_lineno or node.lineno
        else:
            break
    return last


def function_range_at(source: str, line: int) -> LineRange | None:
    """Lines of the innermost function (decorators included) around 1-based `line`, if any;
    None for code that does not parse (the loop then localises the failure itself)."""
    try:
        function = SourceView(source).function_at(line)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    return LineRange(function.start, function.end) if function is not None else None
