"""The source a debugging human reads next to a failing test: the test, its data, its fixtures.

`TestSources.of(node_id)` finds the test function of a pytest node id in the project (a method
of a `Test*` class too) with its decorators, the module-level definitions its `parametrize`
decorators take their cases from (`CASES = json.loads(...)`), and the fixtures it requests,
resolved as pytest resolves them: the test's class, its module, then the `conftest.py` files
from the test's folder up to the project root, nearest first; `usefixtures` marks and autouse
fixtures count too. One level of the fixtures' own dependencies is followed. Fixtures defined
nowhere in the project (pytest's `tmp_path`, a plugin's) are named only.

Everything is read with `ast` from the files as they are on disk, nothing is imported or run.
Node ids come from the sandbox, so a path that leaves the project root, or is not a `.py`
file, is not read.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from fixloop import pyast

MAX_FILE_BYTES = 1_000_000  # larger test files are not parsed
MAX_FIXTURES = 12  # fixtures resolved per test (the prompt shows fewer)
MAX_DATA = 4  # module-level definitions shown per parametrized test
NOT_FIXTURES = frozenset({"self", "cls", "request"})

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef


@dataclass(frozen=True)
class Excerpt:
    """Lines of a project file, as written."""

    file: str  # relative to the project root
    first_line: int
    text: str


@dataclass(frozen=True)
class FixtureSource:
    name: str
    excerpt: Excerpt
    requested_by: str  # the test function, or the fixture that depends on it
    autouse: bool = False


@dataclass(frozen=True)
class TestSource:
    """A failing test function as written, with the data and fixtures it uses."""

    __test__ = False  # a value, not a pytest test class

    node: str
    function: Excerpt
    data: tuple[Excerpt, ...] = ()
    fixtures: tuple[FixtureSource, ...] = ()
    elsewhere: tuple[str, ...] = ()  # requested fixtures the project does not define


@dataclass(frozen=True)
class _Module:
    path: Path
    lines: list[str]
    tree: ast.Module


def _decorator_name(decorator: ast.expr) -> str:
    """`fixture` for `@pytest.fixture`, `@fixture(...)`; `parametrize` for
    `@pytest.mark.parametrize(...)`: the last name of the decorator."""
    if isinstance(decorator, ast.Call):
        decorator = decorator.func
    if isinstance(decorator, ast.Attribute):
        return decorator.attr
    return decorator.id if isinstance(decorator, ast.Name) else ""


def _keyword(decorator: ast.expr, name: str) -> ast.expr | None:
    if isinstance(decorator, ast.Call):
        for keyword in decorator.keywords:
            if keyword.arg == name:
                return keyword.value
    return None


def _constant_strings(node: ast.expr | None) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [part.strip() for part in node.value.split(",") if part.strip()]
    if isinstance(node, (ast.List, ast.Tuple)):
        return [str(e.value) for e in node.elts if isinstance(e, ast.Constant)]
    return []


def _fixture_names(scope: list[ast.stmt]) -> dict[str, tuple[FunctionNode, bool]]:
    """Fixtures defined directly in `scope`: name -> (definition, autouse)."""
    found: dict[str, tuple[FunctionNode, bool]] = {}
    for node in scope:
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for decorator in node.decorator_list:
            if _decorator_name(decorator) != "fixture":
                continue
            renamed = _constant_strings(_keyword(decorator, "name"))
            autouse = _keyword(decorator, "autouse")
            is_autouse = isinstance(autouse, ast.Constant) and autouse.value is True
            found[renamed[0] if renamed else node.name] = (node, is_autouse)
    return found


def _parameters(function: FunctionNode) -> list[str]:
    arguments = function.args
    return [a.arg for a in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]]


class TestSources:
    """Resolves node ids against the project at `root`, parsing each file once."""

    __test__ = False

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self._modules: dict[Path, _Module | None] = {}

    def _module(self, path: Path) -> _Module | None:
        if path not in self._modules:
            self._modules[path] = self._parse(path)
        return self._modules[path]

    def _parse(self, path: Path) -> _Module | None:
        try:
            resolved = path.resolve()
            resolved.relative_to(self.root)
            if resolved.suffix != ".py" or resolved.stat().st_size > MAX_FILE_BYTES:
                return None
            text = resolved.read_text(encoding="utf-8", errors="replace")
            return _Module(resolved, text.splitlines(), pyast.parse(text))
        except (OSError, ValueError, SyntaxError, RecursionError, MemoryError):
            return None

    def _excerpt(self, module: _Module, node: ast.stmt) -> Excerpt:
        decorators = getattr(node, "decorator_list", [])
        first = min([node.lineno, *(d.lineno for d in decorators)])
        last = node.end_lineno or node.lineno
        text = "\n".join(module.lines[first - 1 : last])
        return Excerpt(module.path.relative_to(self.root).as_posix(), first, text)

    def of(self, node: str) -> TestSource | None:
        """The test of pytest node id `node`, or None when it cannot be found as written."""
        file_part, _, rest = node.partition("::")
        module = self._module(self.root / file_part) if rest else None
        if module is None:
            return None
        names = [part.split("[", 1)[0] for part in rest.split("::")]
        scopes: list[list[ast.stmt]] = [module.tree.body]
        classes: list[ast.ClassDef] = []
        for class_name in names[:-1]:
            found = next(
                (n for n in scopes[-1] if isinstance(n, ast.ClassDef) and n.name == class_name),
                None,
            )
            if found is None:
                return None
            classes.append(found)
            scopes.append(found.body)
        function = next(
            (
                n
                for n in scopes[-1]
                if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == names[-1]
            ),
            None,
        )
        if function is None:
            return None
        chain = self._fixture_chain(module, list(reversed(scopes)))
        fixtures, elsewhere = self._resolve(function, classes, chain)
        return TestSource(
            node,
            self._excerpt(module, function),
            tuple(self._case_data(module, function)),
            tuple(fixtures),
            tuple(elsewhere),
        )

    def _conftests(self, module: _Module) -> Iterator[_Module]:
        """The conftest.py files that apply to `module`, nearest first, up to the root."""
        folder = module.path.parent
        while True:
            conftest = self._module(folder / "conftest.py")
            if conftest is not None:
                yield conftest
            if folder == self.root or self.root not in folder.parents:
                return
            folder = folder.parent

    def _fixture_chain(
        self, module: _Module, scopes: list[list[ast.stmt]]
    ) -> list[tuple[_Module, dict[str, tuple[FunctionNode, bool]]]]:
        """Where fixtures are looked up, nearest first: classes, the module, conftest files."""
        chain = [(module, _fixture_names(scope)) for scope in scopes]
        chain.extend(
            (conftest, _fixture_names(conftest.tree.body)) for conftest in self._conftests(module)
        )
        return chain

    def _resolve(
        self,
        function: FunctionNode,
        classes: list[ast.ClassDef],
        chain: list[tuple[_Module, dict[str, tuple[FunctionNode, bool]]]],
    ) -> tuple[list[FixtureSource], list[str]]:
        cases = {
            name
            for decorator in function.decorator_list
            if _decorator_name(decorator) == "parametrize" and isinstance(decorator, ast.Call)
            for name in _constant_strings(decorator.args[0] if decorator.args else None)
        }
        marked = [
            name
            for holder in [*classes, function]
            for decorator in holder.decorator_list
            if _decorator_name(decorator) == "usefixtures" and isinstance(decorator, ast.Call)
            for argument in decorator.args
            for name in _constant_strings(argument)
        ]
        parameters = _parameters(function)
        if classes and parameters:
            parameters = parameters[1:]  # self
        wanted = [(n, function.name) for n in [*parameters, *marked] if n not in cases]
        fixtures: list[FixtureSource] = []
        elsewhere: list[str] = []
        seen: set[str] = set()
        for depth in (0, 1):
            following: list[tuple[str, str]] = []
            for name, requested_by in wanted:
                if name in seen or name in NOT_FIXTURES or len(fixtures) >= MAX_FIXTURES:
                    continue
                seen.add(name)
                found = next(((m, table[name]) for m, table in chain if name in table), None)
                if found is None:
                    elsewhere.append(name)
                    continue
                owner, (definition, autouse) = found
                fixtures.append(
                    FixtureSource(name, self._excerpt(owner, definition), requested_by, autouse)
                )
                if depth == 0:
                    following.extend((n, name) for n in _parameters(definition) if n != name)
            wanted = following
        for owner, table in chain:
            for name, (definition, autouse) in table.items():
                if autouse and name not in seen and len(fixtures) < MAX_FIXTURES:
                    seen.add(name)
                    fixtures.append(
                        FixtureSource(name, self._excerpt(owner, definition), "autouse", True)
                    )
        return fixtures, elsewhere

    def _case_data(self, module: _Module, function: FunctionNode) -> Iterator[Excerpt]:
        """Module-level definitions of the names the parametrize decorators read their cases
        from (`@pytest.mark.parametrize("case", CASES)` -> `CASES = ...`)."""
        used: list[str] = []
        for decorator in function.decorator_list:
            if _decorator_name(decorator) == "parametrize" and isinstance(decorator, ast.Call):
                for argument in decorator.args[1:2]:
                    used.extend(n.id for n in ast.walk(argument) if isinstance(n, ast.Name))
        shown = 0
        for name in dict.fromkeys(used):
            for statement in module.tree.body:
                if shown < MAX_DATA and name in _defined_names(statement):
                    shown += 1
                    yield self._excerpt(module, statement)
                    break


def _defined_names(statement: ast.stmt) -> set[str]:
    """Names a module-level statement binds, also inside a `with`, `if` or `try` block (cases
    read from a file are often bound inside `with open(...)`)."""
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {statement.name}
    if isinstance(statement, (ast.With, ast.If, ast.Try)):
        blocks = [statement.body, getattr(statement, "orelse", [])]
        if isinstance(statement, ast.Try):
            blocks += [handler.body for handler in statement.handlers]
        return {name for block in blocks for inner in block for name in _defined_names(inner)}
    targets: list[ast.expr] = []
    if isinstance(statement, ast.Assign):
        targets = statement.targets
    elif isinstance(statement, (ast.AnnAssign, ast.AugAssign)):
        targets = [statement.target]
    return {n.id for target in targets for n in ast.walk(target) if isinstance(n, ast.Name)}
