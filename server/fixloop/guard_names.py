"""What a candidate's names stand for: imports, aliases and indirections followed to dotted names.

A guard that matched the text `sys.exit` would miss `import sys as s; s.exit()`, `from os import
_exit as bye`, `getattr(sys, "ex" + "it")`, `__import__("os")._exit`, `vars(sys)["modules"]` or
`typing.sys.modules`. `NameResolver` follows a module's imports and its simple aliases (`x = sys`,
flow-insensitively: a name bound anywhere counts everywhere) to the dotted name an expression
stands for, folds constant strings (concatenation, f-strings of constants, `"".join` of
constants, `[::-1]`, `.lower()` and friends, `chr(n)`), and names a builtin that no assignment in
the module shadows as `builtins.NAME`. `resolve` answers None for what it cannot follow; callers
treat a dynamic attribute of a module (`getattr(sys, name)`) as suspect in itself. Names that are
re-exported by another module (`os.sys`, `typing.sys`, `threading._sys`) collapse to the module
they name.
"""

from __future__ import annotations

import ast
import builtins

# Modules whose name, reached through another module's attribute, still means that module.
REEXPORTED_MODULES = frozenset(
    {"sys", "os", "builtins", "signal", "subprocess", "importlib", "atexit", "ctypes", "gc"}
)
_BUILTIN_NAMES = frozenset(dir(builtins))
_STRING_METHODS = frozenset({"lower", "upper", "strip", "lstrip", "rstrip", "title", "casefold"})


def fold_string(node: ast.expr | None) -> str | None:
    """The constant string `node` always evaluates to, or None when it is not constant."""
    if node is None:
        return None
    if isinstance(node, ast.Constant):
        return node.value if isinstance(node.value, str) else None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = fold_string(node.left), fold_string(node.right)
        return left + right if left is not None and right is not None else None
    if isinstance(node, ast.JoinedStr):
        parts = []
        for value in node.values:
            inner = value.value if isinstance(value, ast.FormattedValue) else value
            folded = fold_string(inner)
            if folded is None:
                return None
            parts.append(folded)
        return "".join(parts)
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Slice):
        base = fold_string(node.value)
        bounds = [node.slice.lower, node.slice.upper, node.slice.step]
        numbers = [_fold_int(b) for b in bounds]
        if base is None or any(
            b is not None and n is None for b, n in zip(bounds, numbers, strict=True)
        ):
            return None
        return base[numbers[0] : numbers[1] : numbers[2]]
    if isinstance(node, ast.Call):
        return _fold_call(node)
    return None


def _fold_int(node: ast.expr | None) -> int | None:
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = _fold_int(node.operand)
        return -inner if inner is not None else None
    return None


def _fold_call(node: ast.Call) -> str | None:
    func = node.func
    if isinstance(func, ast.Name) and func.id == "chr" and len(node.args) == 1:
        arg = node.args[0]
        if (
            isinstance(arg, ast.Constant)
            and isinstance(arg.value, int)
            and 0 <= arg.value < 0x110000
        ):
            return chr(arg.value)
        return None
    if not isinstance(func, ast.Attribute):
        return None
    owner = fold_string(func.value)
    if owner is None:
        return None
    if func.attr in _STRING_METHODS and not node.args:
        return str(getattr(owner, func.attr)())
    if func.attr == "join" and len(node.args) == 1:
        items = node.args[0]
        if isinstance(items, (ast.List, ast.Tuple)):
            parts = [fold_string(element) for element in items.elts]
            if all(part is not None for part in parts):
                return owner.join(part for part in parts if part is not None)
        folded = fold_string(items)
        return owner.join(folded) if folded is not None else None
    return None


def _normalise(dotted: str) -> str:
    """`typing.sys.modules` -> `sys.modules`: a re-exported module means itself."""
    parts = dotted.split(".")
    for index in range(len(parts) - 1, 0, -1):
        name = parts[index].lstrip("_")  # `threading._sys` is `sys`
        if name in REEXPORTED_MODULES:
            return ".".join([name, *parts[index + 1 :]])
    return dotted


def _bound_names(tree: ast.AST) -> set[str]:
    """Every name the module binds by any means other than an import."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            names.update(node.names)
    return names


class NameResolver:
    """Dotted names of expressions in one module (see the module docstring)."""

    def __init__(self, tree: ast.AST, inherited: dict[str, str] | None = None) -> None:
        self.bindings: dict[str, str] = dict(inherited or {})
        self._shadowed = _bound_names(tree)
        self.classes = {n.name for n in ast.walk(tree) if isinstance(n, ast.ClassDef)}
        assignments: list[tuple[str, ast.expr]] = []
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        self.bindings[alias.asname] = alias.name
                    else:
                        top = alias.name.split(".")[0]
                        self.bindings[top] = top
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                for alias in node.names:
                    self.bindings[alias.asname or alias.name] = f"{node.module}.{alias.name}"
            elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.NamedExpr)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if node.value is not None:
                    for target in targets:
                        if isinstance(target, ast.Name):
                            assignments.append((target.id, node.value))
        counts: dict[str, int] = {}
        for name, _ in assignments:
            counts[name] = counts.get(name, 0) + 1
        # The value of a name assigned exactly once (say a tuple of exception types).
        self.values = {name: value for name, value in assignments if counts[name] == 1}
        # Aliases of aliases (`a = sys; b = a`): a few rounds reach a fixed point in practice.
        for _ in range(3):
            for name, value in assignments:
                resolved = self.resolve(value)
                if resolved is not None:
                    self.bindings[name] = resolved

    def resolve(self, node: ast.AST) -> str | None:
        """The dotted name `node` stands for, or None."""
        if isinstance(node, ast.Name):
            if node.id in self.bindings:
                return _normalise(self.bindings[node.id])
            if node.id == "__builtins__":
                return "builtins"
            if node.id in _BUILTIN_NAMES and node.id not in self._shadowed:
                return f"builtins.{node.id}"
            return None
        if isinstance(node, ast.Attribute):
            base = self.resolve(node.value)
            return _normalise(f"{base}.{node.attr}") if base is not None else None
        if isinstance(node, ast.Call):
            return self._resolve_call(node)
        if isinstance(node, ast.Subscript):
            base = self.resolve(node.value)
            key = fold_string(node.slice)
            if base is None or key is None:
                return None
            if base.endswith(".__dict__"):
                return _normalise(f"{base[: -len('.__dict__')]}.{key}")
            if base == "sys.modules":
                return _normalise(key)
        return None

    def _resolve_call(self, node: ast.Call) -> str | None:
        func = self.resolve(node.func)
        args = node.args
        if func in ("builtins.getattr", "builtins.setattr", "builtins.delattr") and len(args) >= 2:
            base, name = self.resolve(args[0]), fold_string(args[1])
            return _normalise(f"{base}.{name}") if base is not None and name is not None else None
        if func in ("builtins.__import__", "importlib.import_module") and args:
            module = fold_string(args[0])
            if module is None:
                return None
            return _normalise(module if func != "builtins.__import__" else module.split(".")[0])
        if func == "builtins.vars" and len(args) == 1:
            base = self.resolve(args[0])
            return f"{base}.__dict__" if base is not None else None
        return None

    def dynamic_module_attribute(self, node: ast.Call) -> str | None:
        """The module of `getattr(module, <not a constant>)` (and set/del/hasattr), else None."""
        func = self.resolve(node.func)
        if func not in (
            "builtins.getattr",
            "builtins.setattr",
            "builtins.delattr",
            "builtins.hasattr",
        ):
            return None
        if len(node.args) < 2 or fold_string(node.args[1]) is not None:
            return None
        base = self.resolve(node.args[0])
        if base is None or base.startswith("builtins."):
            return None
        return base
