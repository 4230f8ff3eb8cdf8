"""The values and vocabulary of the mutation operators: `Mutant`, token tables, node helpers.

A `Mutant` is one `Edit` on character offsets of the original, with an origin for the transcript
and a cost (smaller = tried earlier). The tables say which token, function or method a wrong one
is most often confused with; the helpers find the text between two nodes, the names a statement
reads, and whether a statement sits in a loop.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from fixloop.repair.source import COMMON_BUILTINS, SourceView
from fixloop.spans import Edit


@dataclass(frozen=True)
class Mutant:
    edit: Edit
    origin: str
    line: int
    cost: int  # rough size of the change; the search tries cheaper mutants first


COMPARE_TOKENS = {
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Is: "is",
    ast.IsNot: "is not",
    ast.In: "in",
    ast.NotIn: "not in",
}
COMPARE_SWAPS = {
    "<": ("<=", ">", "!=", "=="),
    "<=": ("<", ">=", "=="),
    ">": (">=", "<", "!=", "=="),
    ">=": (">", "<=", "=="),
    "==": ("!=", "<=", ">=", "is"),
    "!=": ("==", "<", ">"),
    "is": ("is not", "=="),
    "is not": ("is", "!="),
    "in": ("not in",),
    "not in": ("in",),
}
BINOP_TOKENS = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.Pow: "**",
    ast.BitAnd: "&",
    ast.BitOr: "|",
    ast.BitXor: "^",
    ast.LShift: "<<",
    ast.RShift: ">>",
}
BINOP_SWAPS = {
    "+": ("-", "*"),
    "-": ("+",),
    "*": ("/", "+", "//", "**"),
    "/": ("//", "*"),
    "//": ("/", "%"),
    "%": ("//",),
    "**": ("*",),
    "&": ("|", "^"),
    "|": ("&", "^"),
    "^": ("|", "&"),
    "<<": (">>",),
    ">>": ("<<",),
}
FUNCTION_SWAPS = {
    "min": ("max",),
    "max": ("min",),
    "any": ("all",),
    "all": ("any",),
    "sorted": ("reversed",),
    "reversed": ("sorted",),
    "int": ("float", "round"),
    "float": ("int",),
    "list": ("set", "sorted"),
    "set": ("list", "sorted"),
    "sum": ("len",),
    "len": ("sum",),
    "str": ("repr",),
    "round": ("int",),
    "filter": ("map",),
    "map": ("filter",),
}
METHOD_SWAPS = {
    "append": ("extend", "insert"),
    "extend": ("append",),
    "pop": ("remove", "get"),
    "remove": ("pop", "discard"),
    "keys": ("values", "items"),
    "values": ("keys", "items"),
    "items": ("keys", "values"),
    "lower": ("upper", "casefold"),
    "upper": ("lower",),
    "startswith": ("endswith",),
    "endswith": ("startswith",),
    "find": ("index", "rfind"),
    "index": ("find",),
    "split": ("rsplit", "splitlines"),
    "strip": ("lstrip", "rstrip"),
    "lstrip": ("strip", "rstrip"),
    "rstrip": ("strip", "lstrip"),
    "get": ("pop",),
    "add": ("update", "append"),
    "update": ("add",),
    "sort": ("reverse",),
    "join": ("split",),
    "isdigit": ("isalpha", "isnumeric"),
    "isalpha": ("isdigit", "isalnum"),
    "popleft": ("pop",),
    "appendleft": ("append",),
    "insert": ("append",),
}
WRAPPERS = ("len", "abs", "int", "str", "float", "list", "sorted", "sum", "round", "set")
RETURN_DEFAULTS = ("None", "0", "[]", "0.0", "''", "False", "{}", "1", "True", "-1")


def node_token_gap(view: SourceView, left: ast.AST, right: ast.AST) -> tuple[int, int]:
    """Offsets of the text between two sibling nodes (where an operator token sits)."""
    return view.span(left)[1], view.span(right)[0]


def replace_token(
    view: SourceView, left: ast.AST, right: ast.AST, old: str, new: str
) -> Edit | None:
    start, end = node_token_gap(view, left, right)
    gap = view.source[start:end]
    # Parentheses may sit in the gap; replace only the operator token itself.
    index = gap.find(old)
    if index < 0:
        return None
    return Edit(start + index, start + index + len(old), new)


def atomic(view: SourceView, node: ast.AST) -> str:
    text = view.text(node)
    if isinstance(node, (ast.Name, ast.Constant, ast.Attribute, ast.Subscript, ast.Call)):
        return text
    return f"({text})"


def header_nodes(statement: ast.stmt) -> list[ast.AST]:
    """The expressions that belong to the statement itself (not to nested blocks)."""
    if isinstance(statement, (ast.If, ast.While)):
        return [statement.test]
    if isinstance(statement, (ast.For, ast.AsyncFor)):
        return [statement.iter, statement.target]
    if isinstance(statement, (ast.With, ast.AsyncWith)):
        return [item.context_expr for item in statement.items]
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Try)):
        return []
    return [statement]


def loaded_names(statement: ast.stmt) -> list[str]:
    names = []
    for root in header_nodes(statement):
        for node in ast.walk(root):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
                if node.id not in COMMON_BUILTINS and node.id not in ("True", "False", "None"):
                    names.append(node.id)
            elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                names.append(f"{node.value.id}.{node.attr}")
    return list(dict.fromkeys(names))


def inside_loop(view: SourceView, node: ast.AST) -> bool:
    current = view.parent(node)
    while current is not None and not isinstance(
        current, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Module)
    ):
        if isinstance(current, (ast.For, ast.While, ast.AsyncFor)):
            return True
        current = view.parent(current)
    return False
