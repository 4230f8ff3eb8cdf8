"""What a version of the target reaches that a fix never needs: the marks the guards compare.

`reach_marks` counts, in one parsed module, every use of something that can make a check pass
without fixing anything: ending the process (`sys.exit`, `os._exit`, `os.kill`, `raise
SystemExit`, `signal`, `exec*` and `spawn*`), the import machinery and the interpreter's
namespaces (`sys.modules`, `sys.meta_path`, `sys.path_hooks`, `builtins`, `importlib`,
`atexit`), code built at run time (`exec`, `eval`, `compile`, `marshal`, `pickle`,
`types.FunctionType`), frames and the test harness (`sys._getframe`, `f_back`, `inspect`,
`pytest`, `unittest`), the test modules themselves (imported by name, or named in a string, as
in `open("test_stats.py", "w")`), handlers and `contextlib.suppress` that swallow
`AssertionError` or the exception that failed (named, in a tuple, or a base class of it),
`return` inside `finally`, an `__exit__` that always swallows, an `__eq__` that is always true,
code after a `return`, and emptied functions. Names are followed through `NameResolver`, so
aliases and indirections count as what they stand for. The guards refuse a candidate whose
marks exceed the original's: what the program already did is not held against a fix.
"""

from __future__ import annotations

import ast
import builtins
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from fixloop.guard_names import NameResolver, fold_string

# Modules a fix has no business reaching (any attribute of them counts too).
FORBIDDEN_MODULES = frozenset(
    "signal subprocess ctypes atexit importlib imp runpy gc inspect marshal pickle pty "
    "multiprocessing faulthandler _thread code codeop pytest _pytest pluggy unittest doctest "
    "dirty_equals hamcrest builtins".split()
)
# Exact names: ending the process, the import machinery, hooks, code built at run time.
FORBIDDEN_NAMES = frozenset(
    "sys.exit sys.modules sys.meta_path sys.path_hooks sys.path_importer_cache sys.path "
    "sys.settrace sys.setprofile sys._getframe sys.excepthook sys.unraisablehook "
    "sys.addaudithook sys.breakpointhook sys.displayhook os._exit os.abort os.kill os.killpg "
    "os.system os.popen os.fork os.forkpty os.register_at_fork os.posix_spawn os.posix_spawnp "
    "types.FunctionType types.CodeType types.ModuleType types.LambdaType threading.settrace "
    "threading.setprofile threading.excepthook builtins.exit builtins.quit builtins.exec "
    "builtins.eval builtins.compile builtins.__import__ builtins.breakpoint builtins.SystemExit "
    "builtins.KeyboardInterrupt builtins.GeneratorExit".split()
)
FORBIDDEN_PREFIXES = ("os.exec", "os.spawn")
# Attributes that reach frames, code and namespaces, whatever object they are read from.
FORBIDDEN_ATTRIBUTES = frozenset(
    "f_back f_globals f_locals f_builtins f_code tb_frame tb_next gi_frame cr_frame ag_frame "
    "__globals__ __builtins__ __subclasses__ __code__ __closure__ __loader__ __traceback__ "
    "_getframe settrace setprofile".split()
)
# Names that only ever serve to look the interpreter's internals up by string.
SENSITIVE_STRINGS = frozenset({"__builtins__", "__import__", "__globals__", "__subclasses__"})
ASSERTION_CATCHERS = frozenset({"AssertionError", "Exception", "BaseException"})
BROAD_CATCHERS = frozenset({"Exception", "BaseException"})
UNKNOWN_TYPE = "?"
STATEMENTS_THAT_LEAVE = (ast.Return, ast.Raise, ast.Continue, ast.Break)


@dataclass(frozen=True)
class ReachContext:
    """What the marks depend on besides the code: the failure and the tests."""

    failing_error: str | None = None  # the exception type the original failed with
    failing_family: frozenset[str] = frozenset()  # its name and the names of its bases
    test_modules: frozenset[str] = frozenset()  # module names of the tests (and conftest)
    test_strings: tuple[str, ...] = ()  # what names a test file inside a string


def forbidden(dotted: str) -> bool:
    if dotted in FORBIDDEN_NAMES or dotted.startswith(FORBIDDEN_PREFIXES):
        return True
    if dotted.endswith(".__dict__") and not dotted.startswith("builtins."):
        return True  # a module's namespace, as a dict
    head = dotted.split(".")[0]
    if head == "builtins":
        # Bare builtins resolve to `builtins.NAME`: only the module itself is a reach.
        return dotted == "builtins"
    return head in FORBIDDEN_MODULES


def _shown(dotted: str) -> str:
    """`builtins.exit` is written `exit`: name a builtin as the code would."""
    return dotted.removeprefix("builtins.") if dotted.count(".") == 1 else dotted


def reach_marks(
    tree: ast.AST, context: ReachContext, resolver: NameResolver | None = None
) -> Counter[str]:
    """The marks of `tree` (see the module docstring)."""
    resolver = resolver or NameResolver(tree)
    marks: Counter[str] = Counter()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Name, ast.Attribute)):
            _name_marks(node, resolver, context, marks)
        elif isinstance(node, ast.Call):
            _call_marks(node, resolver, marks)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            _import_marks(node, context, marks)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            _string_marks(node.value, context, marks)
        elif isinstance(node, ast.BinOp | ast.JoinedStr):
            folded = fold_string(node)
            if folded is not None:
                _string_marks(folded, context, marks)
        elif isinstance(node, ast.ExceptHandler):
            marks.update(_handler_marks(node, resolver, context))
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            marks.update(_suppress_marks(node, resolver, context))
        elif isinstance(node, (ast.Try, ast.TryStar)) and _leaves(node.finalbody):
            marks["a return/break/continue in `finally` (it swallows exceptions)"] += 1
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            marks.update(_method_marks(node))
        elif isinstance(node, ast.ClassDef):
            marks.update(_class_attribute_marks(node))
        body = getattr(node, "body", None)
        if isinstance(body, list):
            for statement in body[:-1]:
                if isinstance(statement, STATEMENTS_THAT_LEAVE):
                    marks["unreachable code"] += 1
                    break
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and is_empty_body(node.body):
            marks["empty function body"] += 1
    return marks


def _name_marks(
    node: ast.Name | ast.Attribute, resolver: NameResolver, context: ReachContext, marks: Counter
) -> None:
    if isinstance(node, ast.Attribute) and node.attr in FORBIDDEN_ATTRIBUTES:
        marks[f"use of .{node.attr}"] += 1
    if isinstance(node, ast.Name) and node.id in ("__builtins__", "__loader__"):
        marks[f"use of {node.id}"] += 1
    dotted = resolver.resolve(node)
    if dotted is None:
        return
    if forbidden(dotted):
        marks[f"use of {_shown(dotted)}"] += 1
    if dotted.split(".")[0] in context.test_modules:
        marks[f"use of the test module {dotted.split('.')[0]}"] += 1


def _call_marks(node: ast.Call, resolver: NameResolver, marks: Counter) -> None:
    dotted = resolver.resolve(node)
    if dotted is not None and forbidden(dotted):
        marks[f"use of {_shown(dotted)}"] += 1
    module = resolver.dynamic_module_attribute(node)
    if module is not None:
        marks[f"a computed attribute of {module}"] += 1


def _import_marks(node: ast.Import | ast.ImportFrom, context: ReachContext, marks: Counter) -> None:
    modules = [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
    if isinstance(node, ast.ImportFrom) and node.module:
        modules = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
    tests = context.test_modules
    for module in modules:
        parts = module.split(".")
        if forbidden(module):
            marks[f"import {module}"] += 1
        if any(part in tests for part in parts):
            marks[f"import of the test module {module}"] += 1


def _string_marks(text: str, context: ReachContext, marks: Counter) -> None:
    if text in SENSITIVE_STRINGS:
        marks[f"the string {text!r}"] += 1
    for name in context.test_strings:
        if name in text:
            marks[f"a string naming the test {name}"] += 1


def caught_types(node: ast.expr | None, resolver: NameResolver, depth: int = 0) -> set[str]:
    """Class names an `except` clause (or `suppress(...)`) catches; UNKNOWN_TYPE when unsure."""
    if node is None:
        return {"BaseException"}
    if isinstance(node, (ast.Tuple, ast.List)):
        names: set[str] = set()
        for element in node.elts:
            names |= caught_types(element, resolver, depth)
        return names
    dotted = resolver.resolve(node)
    if dotted is not None:
        return {dotted.split(".")[-1]}
    if isinstance(node, ast.Name):
        if node.id in resolver.classes:
            return {node.id}  # an exception class of the module itself
        value = resolver.values.get(node.id)
        if value is not None and depth < 5:
            return caught_types(value, resolver, depth + 1)
    return {UNKNOWN_TYPE}


def _swallow_marks(types: Iterable[str], context: ReachContext) -> list[str]:
    types = set(types)
    found = []
    if types & (ASSERTION_CATCHERS | {UNKNOWN_TYPE}):
        found.append("a handler that swallows AssertionError")
    if context.failing_error and types & (context.failing_family | {UNKNOWN_TYPE}):
        found.append(f"a handler that swallows {context.failing_error} (the failing exception)")
    return found


def _handler_marks(
    handler: ast.ExceptHandler, resolver: NameResolver, context: ReachContext
) -> list[str]:
    types = caught_types(handler.type, resolver)
    found = []
    if handler.type is None or types & BROAD_CATCHERS:
        found.append("broad except")
    if all(
        isinstance(s, (ast.Pass, ast.Continue, ast.Break)) or _is_docstring(s) for s in handler.body
    ):
        found.append("except: pass")
    if not (handler.body and isinstance(handler.body[-1], ast.Raise)):
        found.extend(_swallow_marks(types, context))
    return found


def _suppress_marks(
    node: ast.With | ast.AsyncWith, resolver: NameResolver, context: ReachContext
) -> list[str]:
    found: list[str] = []
    for item in node.items:
        call = item.context_expr
        if isinstance(call, ast.Call) and resolver.resolve(call.func) == "contextlib.suppress":
            types: set[str] = set()
            for argument in call.args:
                types |= caught_types(argument, resolver)
            found.extend(
                mark.replace("handler", "suppress()") for mark in _swallow_marks(types, context)
            )
    return found


def _always(body: list[ast.stmt], truthy: bool) -> bool:
    """True when `body` is only `return <constant>` with a constant of that truthiness."""
    statements = [s for s in body if not _is_docstring(s)]
    if len(statements) != 1 or not isinstance(statements[0], ast.Return):
        return False
    value = statements[0].value
    return isinstance(value, ast.Constant) and bool(value.value) is truthy


def _method_marks(node: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    if node.name in ("__exit__", "__aexit__") and _always(node.body, True):
        return ["an __exit__ that swallows every exception"]
    if node.name == "__eq__" and _always(node.body, True):
        return ["an __eq__ that is always true"]
    if node.name == "__ne__" and _always(node.body, False):
        return ["an __ne__ that is always false"]
    return []


def _class_attribute_marks(node: ast.ClassDef) -> list[str]:
    """`__eq__ = lambda self, other: True` in a class body."""
    found = []
    for statement in node.body:
        if not isinstance(statement, ast.Assign) or not isinstance(statement.value, ast.Lambda):
            continue
        names = {t.id for t in statement.targets if isinstance(t, ast.Name)}
        body = statement.value.body
        if "__eq__" in names and isinstance(body, ast.Constant) and bool(body.value):
            found.append("an __eq__ that is always true")
        if "__exit__" in names and isinstance(body, ast.Constant) and bool(body.value):
            found.append("an __exit__ that swallows every exception")
    return found


def _leaves(body: list[ast.stmt], in_loop: bool = False) -> bool:
    """A `return` (or a `break`/`continue` of no loop inside `body`) in `body`."""
    for node in body:
        if isinstance(node, ast.Return) or (
            isinstance(node, (ast.Break, ast.Continue)) and not in_loop
        ):
            return True
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        loop = in_loop or isinstance(node, (ast.For, ast.AsyncFor, ast.While))
        for field in ("body", "orelse", "finalbody", "handlers", "cases"):
            children = getattr(node, field, None) or []
            for child in children:
                inner = (
                    child.body
                    if isinstance(child, (ast.ExceptHandler, ast.match_case))
                    else [child]
                )
                if _leaves(inner, loop if field == "body" else in_loop):
                    return True
    return False


def _is_docstring(statement: ast.stmt) -> bool:
    return isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant)


def is_empty_body(body: list[ast.stmt]) -> bool:
    for statement in body:
        if isinstance(statement, ast.Pass) or _is_docstring(statement):
            continue
        if isinstance(statement, ast.Return) and (
            statement.value is None or isinstance(statement.value, ast.Constant)
        ):
            continue
        return False
    return True


def exception_family(name: str | None, tree: ast.AST | None) -> frozenset[str]:
    """`name` and the names of its base classes: builtin exceptions through their MRO, classes
    of the module through their bases; an unknown class at least through `Exception`."""
    if not name:
        return frozenset()
    known = getattr(builtins, name, None)
    if isinstance(known, type) and issubclass(known, BaseException):
        return frozenset(c.__name__ for c in known.__mro__ if c is not object)
    classes = {
        node.name: node
        for node in ast.walk(tree or ast.Module([], []))
        if isinstance(node, ast.ClassDef)
    }
    family = {name}
    pending = [name]
    while pending:
        current = classes.get(pending.pop())
        if current is None:
            continue
        for base in current.bases:
            base_name = base.id if isinstance(base, ast.Name) else getattr(base, "attr", "")
            if base_name and base_name not in family:
                family |= (
                    exception_family(base_name, None) if base_name not in classes else {base_name}
                )
                pending.append(base_name)
    return frozenset(family | {"Exception", "BaseException"})
