"""From failing tests to fix jobs: which project module each failure points at, one job per module.

A failure points at the deepest frame of its traceback that lies in project code (a `.py` file
of the project that is not test code). When no frame does (an assertion in the test on a value
the code returned), it points at the module the test imports: the imported name on the line
where the test failed when there is one, else the first project module the test file imports.
A name imported from a package is followed into the package's `__init__` to the module that
defines it. Each job gets a key: the digest of its inputs (the files it can see except other
jobs' test files, its tests and its settings), so `--resume` can tell an unchanged job.
"""

from __future__ import annotations

import ast
import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import PurePosixPath

from fixloop import pyast
from fixloop.sweep.model import FailingTest, Job, JobSettings
from fixloop.sweep.snapshot import Snapshot
from fixloop.sweep.suite import TestRecord

TEST_DIRS = {"tests", "test", "testing"}
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def is_test_code(path: str) -> bool:
    """Test code is never a fix target: test files, conftest, and anything in a tests folder."""
    pure = PurePosixPath(path)
    name = pure.name
    if name == "conftest.py" or name.startswith("test_") or name.endswith("_test.py"):
        return True
    return any(part in TEST_DIRS for part in pure.parts[:-1])


class ModuleIndex:
    """The project's own modules, found by dotted name whatever the layout (flat or `src/`)."""

    def __init__(self, files: Iterable[str], texts: Mapping[str, str]) -> None:
        self.modules = sorted(f for f in files if f.endswith(".py") and not is_test_code(f))
        self._texts = texts
        self._by_name: dict[str, str] = {}
        for path in self.modules:
            parts = list(PurePosixPath(path).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            # Every suffix of the path is a name it may be imported by (`src/calc/x.py` is
            # `calc.x`); the shortest path wins a tie, so `calc/x.py` beats `old/calc/x.py`.
            for start in range(len(parts)):
                name = ".".join(parts[start:])
                if name and name not in self._by_name:
                    self._by_name[name] = path

    def resolve(self, dotted: str) -> str | None:
        return self._by_name.get(dotted)

    def resolve_name(self, module: str, name: str) -> str | None:
        """The module that defines `name` imported `from module` (a submodule, or followed
        through the package's `__init__`)."""
        submodule = self.resolve(f"{module}.{name}")
        if submodule is not None:
            return submodule
        found = self.resolve(module)
        if found is None or not found.endswith("__init__.py"):
            return found
        package = module
        for node in _imports(self._texts.get(found, "")):
            if isinstance(node, ast.ImportFrom):
                if name not in {alias.asname or alias.name for alias in node.names}:
                    continue
                source = _absolute(node, package, is_package=True)
                defined = self.resolve(source) if source else None
                if defined is not None:
                    return defined
        return found


def _imports(text: str) -> list[ast.stmt]:
    try:
        tree = pyast.parse(text)
    except (SyntaxError, ValueError):
        return []
    return [node for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom))]


def _absolute(node: ast.ImportFrom, package: str, *, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    parts = package.split(".")
    keep = len(parts) - (node.level - 1) if is_package else len(parts) - node.level
    base = parts[: max(keep, 0)]
    return ".".join([*base, *([node.module] if node.module else [])])


def _imported_modules(test_text: str, index: ModuleIndex) -> list[tuple[str, set[str]]]:
    """(project module, names bound by the import) for each import of the test file, in order."""
    found: list[tuple[str, set[str]]] = []
    for node in _imports(test_text):
        if isinstance(node, ast.Import):
            for alias in node.names:
                module = index.resolve(alias.name)
                if module is not None:
                    found.append((module, {alias.asname or alias.name.split(".")[0]}))
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                module = index.resolve_name(node.module, alias.name)
                if module is not None:
                    found.append((module, {alias.asname or alias.name}))
    return found


def attribute(record: TestRecord, index: ModuleIndex, texts: Mapping[str, str]) -> FailingTest:
    """Which project module `record`'s failure points at, and why."""
    project = set(index.modules)
    for file, _line, _function in reversed(record.frames):
        if file in project:
            return FailingTest(record.nodeid, record.message, file, "traceback")
    test_file = record.nodeid.split("::")[0]
    test_text = texts.get(test_file, "")
    imported = _imported_modules(test_text, index)
    if not imported:
        return FailingTest(record.nodeid, record.message, None, "none")
    failing_line = next((line for file, line, _ in reversed(record.frames) if file == test_file), 0)
    lines = test_text.splitlines()
    # From the failing line back to the start of its test: the nearest line that uses a name
    # the test imported from the project tells which module produced what failed.
    for number in range(
        min(failing_line, len(lines)), _function_start(test_text, failing_line) - 1, -1
    ):
        words = set(_WORD.findall(lines[number - 1]))
        for module, names in imported:
            if names & words:
                return FailingTest(record.nodeid, record.message, module, "import")
    plain = [module for module, _ in imported if not module.endswith("__init__.py")]
    return FailingTest(record.nodeid, record.message, (plain or [imported[0][0]])[0], "import")


def _function_start(text: str, line: int) -> int:
    """The first line of the innermost function around `line` (1 when there is none)."""
    try:
        tree = pyast.parse(text)
    except (SyntaxError, ValueError):
        return max(line, 1)
    start = 1
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            end = node.end_lineno or node.lineno
            if node.lineno <= line <= end and node.lineno > start:
                start = node.lineno
    return start


def job_key(
    target: str,
    tests: Sequence[str],
    settings: JobSettings,
    snapshot: Snapshot,
    own_tests: set[str],
) -> str:
    """The digest of a job's inputs: every file except other jobs' test files, its tests, its
    settings. An unchanged key means the job would see exactly what it saw before."""
    files = [
        (path, digest)
        for path, digest in snapshot.digests
        if not (is_test_code(path) and PurePosixPath(path).name != "conftest.py")
        or path in own_tests
    ]
    payload = json.dumps(
        {"target": target, "tests": sorted(tests), "settings": settings.to_json(), "files": files},
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def plan_jobs(
    failing: Sequence[FailingTest],
    settings: JobSettings,
    snapshot: Snapshot,
    passed: Iterable[str] = (),
) -> list[Job]:
    """One job per module that failures point at, its tests being that group's tests; the
    tests in `passed` that share a test file with them guard the job's fix."""
    passing = sorted(passed)
    groups: dict[str, list[str]] = {}
    for test in failing:
        if test.module is not None:
            groups.setdefault(test.module, []).append(test.nodeid)
    jobs = []
    for module in sorted(groups):
        tests = tuple(sorted(set(groups[module])))
        own = {nodeid.split("::")[0] for nodeid in tests}
        guards = tuple(t for t in passing if t.split("::")[0] in own)
        key = job_key(module, (*tests, *guards), settings, snapshot, own)
        jobs.append(Job(module, module, tests, key, settings, guards))
    return jobs
