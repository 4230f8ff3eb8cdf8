"""Where a failing test points in the code under test, found from its traceback and its source.

Run Tests marks the failing assertion in the test file and, in the module under test, the line
where the bug most likely is, in this order:
1. `frame`: the deepest traceback frame inside a workspace module that is not a test (the
   exception was raised in the module);
2. `call`: for a failure in the test itself (an assertion), the call into the module on the
   failing line; the mark goes on the called function's only `return` (the value the assertion
   checked), or on its `def` line when it has several;
3. `def`: else the tested function: the first function of the module the test calls anywhere
   in its body, or the one its name names (`test_discount` -> `discount`), on its `def` line.
Everything here is a pure function of the failure and the files' text (`read` returns a file's
text by its root-relative path, or None).
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Literal

from fixloop import pyast

Reader = Callable[[str], "str | None"]
How = Literal["frame", "call", "def"]


@dataclass(frozen=True)
class TraceFrame:
    file: str  # relative to the root (posix) or absolute outside it
    line: int
    function: str


@dataclass(frozen=True)
class FailingTest:
    nodeid: str  # "test_prices.py::test_half_price"
    line: int | None  # the failing line in the test file, 1-based
    message: str
    frames: tuple[TraceFrame, ...] = ()

    @property
    def test_file(self) -> str:
        return self.nodeid.split("::")[0]

    @property
    def name(self) -> str:
        return self.nodeid.split("::")[-1].split("[")[0]


@dataclass(frozen=True)
class ModulePlace:
    """Where a failing test points in the module under test."""

    module: str  # root-relative posix path
    line: int  # 1-based
    how: How
    function: str | None


def is_test_path(path: str) -> bool:
    name = PurePosixPath(path).name
    return name == "conftest.py" or name.startswith("test_") or name.endswith("_test.py")


def place_failure(failure: FailingTest, read: Reader) -> ModulePlace | None:
    """The module line `failure` points at (see the module docstring), or None."""
    for frame in reversed(failure.frames):
        file = frame.file
        if (
            file != failure.test_file
            and file.endswith(".py")
            and not PurePosixPath(file).is_absolute()
            and not file.startswith("../")
            and not is_test_path(file)
            and read(file) is not None
        ):
            return ModulePlace(file, frame.line, "frame", frame.function)
    test_text = read(failure.test_file)
    tree = _parse(test_text)
    if tree is None:
        return None
    names = _imported_names(tree, failure.test_file, read)
    test = _test_function(tree, failure.nodeid)
    scope: ast.AST = test if test is not None else tree
    if failure.line is not None:
        statement = _statement_at(scope, failure.line)
        if statement is not None:
            for callee in _callees(statement, scope, names):
                found = _locate(callee, read, single_return=True)
                if found is not None:
                    return ModulePlace(callee.module, found, "call", callee.function)
    if test is not None:
        for callee in _callees(test, test, names):
            found = _locate(callee, read, single_return=False)
            if found is not None:
                return ModulePlace(callee.module, found, "def", callee.function)
        wanted = failure.name.removeprefix("test_").removeprefix("test")
        for module in dict.fromkeys(names.values()):
            guess = _Callee(module.module, wanted, None)
            found = _locate(guess, read, single_return=False)
            if found is not None:
                return ModulePlace(module.module, found, "def", wanted)
    return None


def modules_under_test(test_text: str, test_file: str, read: Reader) -> list[str]:
    """Workspace modules a test file imports, in import order (tests excluded)."""
    tree = _parse(test_text)
    if tree is None:
        return []
    found = [ref.module for ref in _imported_names(tree, test_file, read).values()]
    return [module for module in dict.fromkeys(found) if not is_test_path(module)]


def nodeid_at_line(test_text: str, test_file: str, line: int) -> str | None:
    """The node id of the test function (or method) around 1-based `line`, if any."""
    tree = _parse(test_text)
    if tree is None:
        return None
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and _covers(node, line):
            for item in node.body:
                if _is_test_def(item) and _covers(item, line):
                    return f"{test_file}::{node.name}::{item.name}"  # type: ignore[attr-defined]
        elif _is_test_def(node) and _covers(node, line):
            return f"{test_file}::{node.name}"  # type: ignore[attr-defined]
    return None


# ----- imports and calls -----------------------------------------------------------------------


@dataclass(frozen=True)
class _ModuleRef:
    module: str  # root-relative path of the imported module
    attribute: str | None  # the imported name (`from m import f`), None for `import m`


@dataclass(frozen=True)
class _Callee:
    module: str
    function: str
    method: str | None  # for `Class(...).method(...)` and `obj.method(...)`


def _parse(text: str | None) -> ast.Module | None:
    if text is None:
        return None
    try:
        return pyast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def _module_file(dotted: str, test_file: str, read: Reader) -> str | None:
    parts = dotted.split(".")
    test_dir = PurePosixPath(test_file).parent
    for base in (PurePosixPath(""), test_dir, PurePosixPath("src")):
        for candidate in (
            base.joinpath(*parts).with_suffix(".py"),
            base.joinpath(*parts, "__init__.py"),
        ):
            path = candidate.as_posix()
            if read(path) is not None:
                return path
    return None


def _imported_names(tree: ast.Module, test_file: str, read: Reader) -> dict[str, _ModuleRef]:
    """Local name -> the workspace module (and name in it) it refers to."""
    names: dict[str, _ModuleRef] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            module = _module_file(node.module, test_file, read)
            for alias in node.names:
                if alias.name == "*":
                    continue
                submodule = _module_file(f"{node.module}.{alias.name}", test_file, read)
                if submodule is not None:
                    names[alias.asname or alias.name] = _ModuleRef(submodule, None)
                elif module is not None:
                    names[alias.asname or alias.name] = _ModuleRef(module, alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                module = _module_file(alias.name, test_file, read)
                if module is not None:
                    names[alias.asname or alias.name.split(".")[0]] = _ModuleRef(module, None)
    return {name: ref for name, ref in names.items() if not is_test_path(ref.module)}


def _is_test_def(node: ast.AST) -> bool:
    return isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith(
        "test"
    )


def _covers(node: ast.AST, line: int) -> bool:
    start = getattr(node, "lineno", 0)
    end = getattr(node, "end_lineno", start) or start
    return bool(start <= line <= end)


def _test_function(tree: ast.Module, nodeid: str) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    path = [part.split("[")[0] for part in nodeid.split("::")[1:]]
    body: Sequence[ast.stmt] = tree.body
    for index, name in enumerate(path):
        for node in body:
            if getattr(node, "name", None) != name:
                continue
            if index == len(path) - 1 and isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                return node
            if isinstance(node, ast.ClassDef):
                body = node.body
                break
        else:
            return None
    return None


def _statement_at(scope: ast.AST, line: int) -> ast.stmt | None:
    """The smallest statement in `scope` that covers `line`."""
    best: ast.stmt | None = None
    for node in ast.walk(scope):
        if isinstance(node, ast.stmt) and node is not scope and _covers(node, line):
            span = (node.end_lineno or node.lineno) - node.lineno
            if best is None or span <= (best.end_lineno or best.lineno) - best.lineno:
                best = node
    return best


def _instances(scope: ast.AST, names: dict[str, _ModuleRef]) -> dict[str, _ModuleRef]:
    """Local variables assigned from a call of an imported name (`acct = Account(10)`)."""
    found: dict[str, _ModuleRef] = {}
    for node in ast.walk(scope):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            ref = _reference(node.value.func, names)
            if ref is not None:
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        found[target.id] = ref
    return found


def _reference(func: ast.expr, names: dict[str, _ModuleRef]) -> _ModuleRef | None:
    """What a called expression refers to in a workspace module: `f` or `module.f`."""
    if isinstance(func, ast.Name) and func.id in names:
        imported = names[func.id]
        return imported if imported.attribute is not None else None
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        module = names.get(func.value.id)
        if module is not None and module.attribute is None:
            return _ModuleRef(module.module, func.attr)
    return None


def _callees(node: ast.AST, scope: ast.AST, names: dict[str, _ModuleRef]) -> list[_Callee]:
    """Calls under `node` into workspace modules, outermost first, then left to right."""
    instances = _instances(scope, names)
    callees: list[_Callee] = []
    for call in ast.walk(node):
        if not isinstance(call, ast.Call):
            continue
        ref = _reference(call.func, names)
        if ref is not None and ref.attribute is not None:
            callees.append(_Callee(ref.module, ref.attribute, None))
            continue
        if not isinstance(call.func, ast.Attribute):
            continue
        owner = call.func.value
        if isinstance(owner, ast.Call):
            ref = _reference(owner.func, names)
        elif isinstance(owner, ast.Name):
            ref = instances.get(owner.id)
        else:
            ref = None
        if ref is not None and ref.attribute is not None:
            callees.append(_Callee(ref.module, ref.attribute, call.func.attr))
    return callees


def _locate(callee: _Callee, read: Reader, *, single_return: bool) -> int | None:
    """The line to mark for `callee` in its module (see the module docstring)."""
    tree = _parse(read(callee.module))
    if tree is None:
        return None
    for node in tree.body:
        if getattr(node, "name", None) != callee.function:
            continue
        if isinstance(node, ast.ClassDef):
            wanted = callee.method or "__init__"
            methods = [
                item
                for item in node.body
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and item.name == wanted
            ]
            if not methods:
                return node.lineno if callee.method is None else None
            node = methods[0]
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if single_return:
                returns = _own_returns(node)
                if len(returns) == 1:
                    return returns[0]
            return node.lineno
    return None


def _own_returns(function: ast.FunctionDef | ast.AsyncFunctionDef) -> list[int]:
    """Lines of the `return value` statements of `function` itself (not of nested defs)."""
    lines: list[int] = []
    pending: list[ast.AST] = list(function.body)
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        if isinstance(node, ast.Return) and node.value is not None:
            lines.append(node.lineno)
        pending.extend(ast.iter_child_nodes(node))
    return sorted(lines)


def relative_frame(file: str, root: Path) -> str:
    """A traceback file as the worker reports it (relative inside the root) made root-relative."""
    path = Path(file)
    if path.is_absolute():
        try:
            return path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            return file
    return PurePosixPath(file).as_posix()
