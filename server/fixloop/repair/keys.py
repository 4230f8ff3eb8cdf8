"""A missing key initialisation: `d[k].append(x)` or `d[k] += 1` raising `KeyError`.

The statement that raised reads `d[k]` in order to change it, and the key was never created.
The candidates, in order: initialise in place (`d.setdefault(k, [])` for a method call,
`d[k] = d.get(k, 0) + 1` for an augmented assignment), an `if k not in d: d[k] = []` line
before the statement, and where `d` is created: every key the program checks the failing key
against before its use (`if k not in KNOWN: raise ...` -> `d = {key: [] for key in KNOWN}`),
then a `defaultdict` (importing it when the file does not and the range allows a new import).
The empty value follows the use: `[]` for `append`, `set()` for `add`, `{}` for `update` or a
nested key, `0` (or `''`, `[]`) for `+=`.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from fixloop.repair.edits import INDENT, header_import, merged, name_for, own_nodes, owns_lines
from fixloop.repair.mutables import FACTORY_FOR_EMPTY
from fixloop.repair.mutate import Mutant
from fixloop.repair.source import SourceView
from fixloop.repair.symptoms import Symptom
from fixloop.spans import Edit

# What a missing key should start as, by the method that was called on it.
EMPTY_FOR_METHOD = {"append": "[]", "extend": "[]", "insert": "[]", "add": "set()"}
EMPTY_FOR_METHOD |= {"update": "{}", "setdefault": "{}", "items": "{}"}


def key_initialisation(view: SourceView, symptom: Symptom, allow_header: bool) -> Iterator[Mutant]:
    """`d[k].append(x)` / `d[k] += 1` / `d[k][j] = v` raising `KeyError`: initialise `d[k]`."""
    if symptom.error_type != "KeyError" or symptom.line is None:
        return
    line = symptom.line
    for statement in view.statements_on(line)[:1]:
        for access, empty in _missing_entries(view, statement):
            container, key = view.text(access.value), view.text(access.slice)
            if isinstance(statement, ast.AugAssign) and statement.target is access:
                op = view.source[view.span(access)[1] : view.span(statement.value)[0]].strip()
                value = view.text(statement.value)
                if not isinstance(statement.value, (ast.Name, ast.Constant, ast.Call)):
                    value = f"({value})"
                a, b = view.span(statement)
                new = f"{view.text(access)} = {container}.get({key}, {empty}) {op[:-1]} {value}"
                yield Mutant(Edit(a, b, new), f"{container}.get({key}, {empty})", line, 2)
            else:
                a, b = view.span(access)
                new = f"{container}.setdefault({key}, {empty})"
                yield Mutant(Edit(a, b, new), f"{container}.setdefault({key}, {empty})", line, 2)
            if owns_lines(view, statement) and _plain(access.slice):
                at, indent = view.line_start(line), view.indent_of(line)
                guard = f"{indent}if {key} not in {container}:\n"
                guard += f"{indent}{INDENT}{container}[{key}] = {empty}\n"
                yield Mutant(Edit(at, at, guard), f"initialise {container}[{key}]", line, 3)
            yield from _default_dict(view, access.value, line, empty, allow_header)


def _missing_entries(view: SourceView, statement: ast.stmt) -> Iterator[tuple[ast.Subscript, str]]:
    """Subscripts that read a key the statement then changes, with what the key should start as."""
    if isinstance(statement, ast.AugAssign) and isinstance(statement.target, ast.Subscript):
        value = statement.value
        empty = "0"
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            empty = "''"
        elif isinstance(value, (ast.List, ast.ListComp)):
            empty = "[]"
        elif isinstance(statement.op, ast.Mult):
            empty = "1"
        yield statement.target, empty
        return
    for node in ast.walk(statement):
        if not (isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load)):
            continue
        parent = view.parent(node)
        if isinstance(parent, ast.Attribute) and parent.attr in EMPTY_FOR_METHOD:
            call = view.parent(parent)
            if isinstance(call, ast.Call) and call.func is parent:
                yield node, EMPTY_FOR_METHOD[parent.attr]
        elif (
            isinstance(parent, ast.Subscript)
            and parent.value is node
            and isinstance(parent.ctx, ast.Store)
        ):
            yield node, "{}"


def _plain(node: ast.expr) -> bool:
    """A key that is safe to evaluate twice (a name, a constant, an attribute of a name)."""
    return all(
        isinstance(n, (ast.Name, ast.Constant, ast.Attribute, ast.Load, ast.Tuple))
        for n in ast.walk(node)
    )


def _default_dict(
    view: SourceView, container: ast.expr, line: int, empty: str, allow_header: bool
) -> Iterator[Mutant]:
    factory = FACTORY_FOR_EMPTY.get(empty)
    if factory is None:
        return
    target_text = view.text(container)
    function = view.function_at(line)
    scopes: list[ast.AST] = [function.node] if function is not None else []
    if isinstance(container, ast.Attribute):
        scopes = [f.node for f in view.functions if f.name == "__init__"]
    scopes.append(view.tree)
    for scope in scopes:
        for node in own_nodes(scope):
            if not (isinstance(node, ast.Assign) and len(node.targets) == 1):
                continue
            if view.text(node.targets[0]) != target_text or not _empty_dict(node.value):
                continue
            a, b = view.span(node.value)
            scope_node = function.node if function is not None else view.tree
            for keys in _key_domains(view, scope_node, line, target_text):
                # The program names the keys it accepts: start with every one of them.
                element = keys.lower().rstrip("s") if keys.isupper() else "key"
                element = element if element.isidentifier() and element != keys else "key"
                filled = f"{{{element}: {empty} for {element} in {keys}}}"
                yield Mutant(Edit(a, b, filled), f"{target_text} = {filled}", node.lineno, 3)
            spelled = name_for(view, "collections.defaultdict")
            if spelled is not None:
                edit = Edit(a, b, f"{spelled}({factory})")
            elif allow_header:
                made = Edit(a, b, f"defaultdict({factory})")
                edit = merged(
                    view.source, [header_import(view, "from collections import defaultdict"), made]
                )
            else:
                continue
            yield Mutant(edit, f"{target_text} = defaultdict({factory})", node.lineno, 3)
            return


def _empty_dict(node: ast.expr) -> bool:
    if isinstance(node, ast.Dict):
        return not node.keys
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "dict"
        and not node.args
        and not node.keywords
    )


def _key_domains(view: SourceView, scope: ast.AST, line: int, container: str) -> list[str]:
    """Collections the failing key is checked against before its use (`if day not in
    WEEKDAYS: raise ...`): the program's own list of the keys it expects."""
    keys = [
        view.text(node.slice)
        for statement in view.statements_on(line)[:1]
        for node in ast.walk(statement)
        if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load)
    ]
    domains: list[str] = []
    for node in ast.walk(scope):
        if not (isinstance(node, ast.Compare) and len(node.ops) == 1 and node.lineno < line):
            continue
        if not isinstance(node.ops[0], (ast.In, ast.NotIn)):
            continue
        collection = node.comparators[0]
        if not isinstance(collection, (ast.Name, ast.Attribute)):
            continue
        spelled = view.text(collection)
        if view.text(node.left) in keys and spelled != container and spelled not in domains:
            domains.append(spelled)
    return domains
