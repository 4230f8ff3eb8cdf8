"""The package's shape: imports point down only (no cycles), pygls stays in the LSP adapter, and
modules stay small. Read from the source with `ast`, so it runs in milliseconds.

What counts as an edge from module A to module B: any `import B`, `from B import x` or
`from pkg import B` (B a module) in A, at module level or inside a function (a lazy import still
makes A depend on B at run time), relative imports resolved. Not edges: imports under
`if TYPE_CHECKING:` (they never run), and the implicit import of a parent package's
`__init__` (it holds no logic here).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parents[1] / "server"
PACKAGE = "fixloop"
MAX_LINES = 400
LSP_ONLY = ("pygls", "lsprotocol")

# Import cycles that belong to another owner: a cycle is tolerated only when all its modules are
# inside one of these groups. None is left: the list stays for an owner who needs time to undo one.
ALLOWED_CYCLES: list[frozenset[str]] = []


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE_ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def package_modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted((PACKAGE_ROOT / PACKAGE).rglob("*.py"))}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _runtime_imports(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement except those under `if TYPE_CHECKING:`."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.orelse:
                yield from _runtime_imports(ast.Module(body=[child], type_ignores=[]))
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        yield from _runtime_imports(node)


def imported_names(name: str, path: Path) -> set[str]:
    """Absolute names of everything `name` (at `path`) imports at run time."""
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in _runtime_imports(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
            continue
        base = node.module or ""
        if node.level:
            anchor = name.split(".") if is_package else name.split(".")[:-1]
            anchor = anchor[: len(anchor) - (node.level - 1)]
            base = ".".join([*anchor, *([node.module] if node.module else [])])
        found.add(base)
        found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def import_graph() -> dict[str, set[str]]:
    modules = package_modules()
    return {
        name: {other for other in imported_names(name, path) if other in modules and other != name}
        for name, path in modules.items()
    }


def strongly_connected(graph: dict[str, set[str]]) -> list[set[str]]:
    """Tarjan's algorithm: the components with more than one module (the cycles)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(graph[node]):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(component)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_checker_sees_cycles_and_type_checking_imports(tmp_path: Path) -> None:
    # The check itself can fail: a two-module cycle is found, a TYPE_CHECKING import is no edge.
    graph = {"a": {"b"}, "b": {"a", "c"}, "c": set()}
    assert strongly_connected(graph) == [{"a", "b"}]
    source = tmp_path / "mod.py"
    source.write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from fixloop import loop\n"
        "def f():\n    from fixloop.repair import engine\n    from . import spans\n"
    )
    names = imported_names("fixloop.mod", source)
    assert "fixloop.loop" not in names
    assert {"fixloop.repair.engine", "fixloop.spans"} <= names


def test_imports_point_down_only() -> None:
    cycles = [
        sorted(component)
        for component in strongly_connected(import_graph())
        if not any(component <= allowed for allowed in ALLOWED_CYCLES)
    ]
    assert cycles == []


def test_only_the_lsp_adapter_imports_pygls() -> None:
    offenders = []
    for name, path in package_modules().items():
        if name.startswith("fixloop.lsp"):
            continue
        for imported in imported_names(name, path):
            if imported.split(".")[0] in LSP_ONLY:
                offenders.append(f"{name} imports {imported}")
    assert offenders == []


def test_modules_stay_small() -> None:
    long = {
        name: lines
        for name, path in package_modules().items()
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}
