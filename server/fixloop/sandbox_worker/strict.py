"""Tests the candidate cannot fool: pristine sources, strict assertions, the right modules.

- `snapshot` reads the test files (and compiles them) before any user code runs: in the warm
  worker's parent before it forks a child, in a fresh process before pytest starts. A child,
  or code the tests import, that rewrites a test file on disk changes nothing that runs.
- `StrictTestFinder` (first on `sys.meta_path`) serves the test modules from that snapshot,
  with every `==`/`!=` of their asserts turned into `strict_eq.strict_compare`. Under pytest the
  source first goes through pytest's own assertion rewriting (`rewrite_asserts`), and only the
  comparisons pytest generated are then replaced, so pytest's failure messages stay as they
  are; pytest's `--assert=plain` gets the plain rewrite. A chained comparison is checked pair
  by pair under pytest, and left alone without it; comparisons inside comprehensions, lambdas
  and helper functions are not assertions and are left alone.
- The finder records each test module it created and checks, right after the module's code
  ran (the code under test is imported from there), that `sys.modules` still holds it. The
  pytest plugin (`pytest_plugin`) checks before every test that the test's module is the one
  the finder created, that `sys.modules` still holds every test module the finder created,
  and that a test function claiming to come from a test file is one compiled here. A module
  or function that code under test slipped in (`sys.modules["test_x"] = fake`) fails every
  test with `CheatDetected`, which the recorder reports as the error type `CheatDetected`.
Standard library only (pytest's rewriting when pytest runs).
"""

from __future__ import annotations

import ast
import importlib.abc
import importlib.machinery
import os
import sys
from collections.abc import Iterable, Mapping
from types import CodeType, ModuleType
from typing import Any

from .errors import ROOT
from .strict_eq import CHEAT_ERROR, TEST_FILES, CheatDetected, strict_compare

COMPARE_NAME = "@fixloop_strict_compare"  # not an identifier: no user code can name it
CHEAT_PROPERTY = "fixloop_cheat"  # the report property that carries a CheatDetected message
_SOURCES: dict[str, bytes] = {}  # real path of a test file -> its text before user code ran
_PLAIN_CODE: dict[str, CodeType] = {}  # real path -> the plain strict code of _SOURCES

__all__ = ["CHEAT_ERROR", "CheatDetected", "snapshot", "install", "pytest_plugin"]


def test_files(names: Iterable[str]) -> list[str]:
    """Real paths of the Python files that test names or pytest arguments name."""
    found = []
    for name in names:
        file = name.split("::")[0]
        if not file.endswith(".py"):
            continue
        path = os.path.realpath(file if os.path.isabs(file) else os.path.join(ROOT, file))
        if os.path.isfile(path):
            found.append(path)
    return found


def snapshot(names: Iterable[str]) -> bool:
    """Read and compile the test files named by `names` that are not in the snapshot yet;
    True when any was new (a child forked before now does not have them)."""
    new = False
    for path in test_files(names):
        if path in _SOURCES:
            continue
        try:
            with open(path, "rb") as handle:
                _SOURCES[path] = handle.read()
        except OSError:
            continue
        TEST_FILES.add(path)
        new = True
        try:
            _PLAIN_CODE[path] = _compile_plain(_SOURCES[path], path)
        except (SyntaxError, ValueError):
            pass  # the import will report it
    return new


def _strict_call(compare: ast.Compare) -> ast.expr:
    op = "==" if isinstance(compare.ops[0], ast.Eq) else "!="
    call = ast.Call(
        ast.Name(COMPARE_NAME, ast.Load()),
        [compare.left, ast.Constant(op), compare.comparators[0]],
        [],
    )
    return ast.copy_location(call, compare)


def _single_equality(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Compare)
        and len(node.ops) == 1
        and isinstance(node.ops[0], (ast.Eq, ast.NotEq))
    )


class _PlainStrict(ast.NodeTransformer):
    """`assert a == b` -> `assert strict_compare(a, "==", b)`, through `and`/`or`/`not`."""

    def visit_Assert(self, node: ast.Assert) -> ast.Assert:
        node.test = self._strict(node.test)
        return node

    def _strict(self, node: ast.expr) -> ast.expr:
        if isinstance(node, ast.Compare) and _single_equality(node):
            return _strict_call(node)
        if isinstance(node, ast.BoolOp):
            node.values = [self._strict(value) for value in node.values]
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            node.operand = self._strict(node.operand)
        return node


class _RewrittenStrict(ast.NodeTransformer):
    """In pytest's rewritten asserts, `@py_assertN = a == b` -> `... = strict_compare(...)`."""

    def visit_Assign(self, node: ast.Assign) -> ast.Assign:
        target = node.targets[0] if len(node.targets) == 1 else None
        if (
            isinstance(target, ast.Name)
            and target.id.startswith("@py_assert")
            and _single_equality(node.value)
        ):
            node.value = _strict_call(node.value)  # type: ignore[arg-type]
        return node


def _located(tree: ast.Module) -> ast.Module:
    """`tree` with every node's location filled in and valid. Nodes that pytest's rewriting and
    this module create carry a start but may lack an end, and `fix_missing_locations` then gives
    them the module's first line as their end: a test file whose code starts below line 1 would
    not compile ("AST node line range (2, 1) is not valid")."""
    ast.fix_missing_locations(tree)
    for node in ast.walk(tree):
        start = getattr(node, "lineno", None)
        if start is None:
            continue
        end = getattr(node, "end_lineno", None)
        if end is None or end < start:
            node.end_lineno = start  # type: ignore[attr-defined]
            node.end_col_offset = getattr(node, "col_offset", 0)  # type: ignore[attr-defined]
        elif end == start and (node.end_col_offset or 0) < (node.col_offset or 0):  # type: ignore[attr-defined]
            node.end_col_offset = node.col_offset  # type: ignore[attr-defined]
    return tree


def _compile_plain(source: bytes, path: str) -> CodeType:
    tree = _PlainStrict().visit(ast.parse(source, filename=path))
    return compile(_located(tree), path, "exec", dont_inherit=True)


def _compile_rewritten(source: bytes, path: str, config: Any) -> CodeType:
    from _pytest.assertion.rewrite import rewrite_asserts

    tree = ast.parse(source, filename=path)
    rewrite_asserts(tree, source, path, config)
    tree = _RewrittenStrict().visit(tree)
    return compile(_located(tree), path, "exec", dont_inherit=True)


def _codes(code: CodeType) -> Iterable[CodeType]:
    yield code
    for constant in code.co_consts:
        if isinstance(constant, CodeType):
            yield from _codes(constant)


class _StrictLoader(importlib.machinery.SourceFileLoader):
    def __init__(self, fullname: str, path: str, finder: StrictTestFinder) -> None:
        super().__init__(fullname, path)
        self.finder = finder

    def get_code(self, fullname: str) -> CodeType:  # type: ignore[override]
        return self.finder.code_for(os.path.realpath(self.path))

    def exec_module(self, module: ModuleType) -> None:
        module.__dict__[COMPARE_NAME] = strict_compare
        super().exec_module(module)
        self.finder.loaded(module, os.path.realpath(self.path))


class StrictTestFinder(importlib.abc.MetaPathFinder):
    """Serves the snapshotted test files (see the module docstring)."""

    def __init__(
        self,
        paths: Iterable[str],
        *,
        raise_at_import: bool,
        overlay: Mapping[str, str] | None = None,
    ) -> None:
        self.paths = frozenset(paths)
        # Test files the request itself brings (an unsaved editor buffer): their text is the
        # host's, as trustworthy as the snapshot, and wins over the file on disk.
        self.overlay = {path: text for path, text in (overlay or {}).items() if path in self.paths}
        self.stems = frozenset(os.path.splitext(os.path.basename(p))[0] for p in self.paths)
        self.raise_at_import = raise_at_import
        self.config: Any = None  # pytest's config once pytest runs: then pytest's rewriting
        self.modules: dict[str, ModuleType] = {}  # real path -> the module created from it
        self.code_ids: set[int] = set()
        self._keep: list[CodeType] = []  # code objects whose ids are in code_ids
        self.violations: list[str] = []

    def find_spec(
        self, fullname: str, path: Any = None, target: Any = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname.rpartition(".")[2] not in self.stems:
            return None  # every other import costs one set lookup
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.origin is None:
            return None
        real = os.path.realpath(spec.origin)
        if real not in self.paths:
            return None
        spec.loader = _StrictLoader(fullname, spec.origin, self)
        return spec

    def code_for(self, path: str) -> CodeType:
        overlaid = self.overlay.get(path)
        source = overlaid.encode("utf-8") if overlaid is not None else _SOURCES.get(path)
        if source is None:  # not snapshotted by the caller: read it now, before it runs
            snapshot([path])
            source = _SOURCES[path]
        rewrite = self.config is not None and self.config.getoption("assertmode") == "rewrite"
        plain = _PLAIN_CODE.get(path) if overlaid is None else None
        code = _compile_rewritten(source, path, self.config) if rewrite else plain
        if code is None:
            code = _compile_plain(source, path)
        for inner in _codes(code):
            self.code_ids.add(id(inner))
            self._keep.append(inner)
        return code

    def loaded(self, module: ModuleType, path: str) -> None:
        self.modules[path] = module
        if sys.modules.get(module.__name__) is not module:
            problem = f"the test module {module.__name__} was replaced in sys.modules while it ran"
            self.violations.append(problem)
            sys.modules[module.__name__] = module  # the tests that run are the real ones
            if self.raise_at_import:
                raise CheatDetected(problem)

    def problem_for(self, item: Any) -> str | None:
        """Why a pytest item is not the test it claims to be, or None."""
        if self.violations:
            return self.violations[0]
        module = getattr(item, "module", None)
        file = getattr(module, "__file__", None)
        if module is not None and file is not None and os.path.realpath(file) in self.paths:
            if self.modules.get(os.path.realpath(file)) is not module:
                return f"the test module {module.__name__} is not the one loaded from its file"
        for known in self.modules.values():
            if sys.modules.get(known.__name__) is not known:
                return f"the test module {known.__name__} was replaced in sys.modules"
        function = getattr(item, "obj", None)
        for _ in range(20):  # through decorators that keep __wrapped__
            inner = getattr(function, "__wrapped__", None)
            if inner is None:
                break
            function = inner
        code = getattr(function, "__code__", None)
        if isinstance(code, CodeType) and os.path.realpath(code.co_filename) in self.paths:
            if id(code) not in self.code_ids:
                return f"the test function {item.name} is not the one compiled from its file"
        return None

    def first(self) -> None:
        """Put this finder first on `sys.meta_path` (ahead of pytest's own import hook)."""
        if self in sys.meta_path:
            sys.meta_path.remove(self)
        sys.meta_path.insert(0, self)


def install(
    names: Iterable[str], *, raise_at_import: bool, overlay: Mapping[str, str] | None = None
) -> StrictTestFinder:
    """A finder for the test files that `names` name, first on `sys.meta_path`; `overlay`
    (relative path -> text, the request's) replaces a test file's text on disk."""
    files = test_files(names)
    snapshot(files)
    by_path: dict[str, str] = {}
    for relative, text in (overlay or {}).items():
        for path in test_files([relative]):
            by_path[path] = text
    finder = StrictTestFinder(files, raise_at_import=raise_at_import, overlay=by_path)
    finder.first()
    return finder


def pytest_plugin(finder: StrictTestFinder) -> object:
    """The pytest side of `finder`: pytest's config for its rewriting, checks before each test,
    and CheatDetected failures marked in the report (`CHEAT_PROPERTY`)."""
    import pytest

    class StrictTests:
        @pytest.hookimpl(tryfirst=True)
        def pytest_configure(self, config: Any) -> None:
            finder.config = config
            finder.first()

        @pytest.hookimpl(tryfirst=True)
        def pytest_collection(self, session: Any) -> None:
            finder.first()

        @pytest.hookimpl(tryfirst=True)
        def pytest_runtest_call(self, item: Any) -> None:
            problem = finder.problem_for(item)
            if problem is not None:
                raise CheatDetected(problem)

        @pytest.hookimpl(hookwrapper=True)
        def pytest_runtest_makereport(self, item: Any, call: Any) -> Any:
            outcome = yield
            report = outcome.get_result()
            error = call.excinfo.value if call.excinfo is not None else None
            if isinstance(error, CheatDetected):
                report.user_properties.append((CHEAT_PROPERTY, str(error)))

    return StrictTests()


def cheat_message(report: Any) -> str | None:
    """The CheatDetected message a pytest report carries, if any."""
    for name, value in getattr(report, "user_properties", ()):
        if name == CHEAT_PROPERTY:
            return str(value)
    return None
