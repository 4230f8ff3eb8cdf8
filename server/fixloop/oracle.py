"""What "fixed" means: the oracle (a script run, pytest tests, or a command) and its verdicts.

An `Oracle` names the check; an `Observation` is what the check saw on one version of the
program: one `TestOutcome` per test (a script run counts as one test called "script", a command
as one called "command"), each with its outcome, message and, when asked, the lines of the target
file it executed (for fault localisation). Observations come from the warm worker
(`fixloop.repair.warm`) for speed or from a fresh sandbox run for proof; both speak the same
records. This module also serves the language server: `discover_tests_for` finds the pytest
files that import a module, and `run_tests` runs tests in a fresh sandbox and reports failures.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from fixloop.fixes import OracleSide
from fixloop.sandbox.base import ErrorInfo, Frame, Limits, RunResult, RunSpec, Sandbox, Status
from fixloop.settings import Settings

WORKER_SOURCE = (Path(__file__).parent / "repair" / "worker.py").read_text(encoding="utf-8")
SKIP_DIRS = {".git", ".venv", "venv", "node_modules", "__pycache__", ".tox", "build", "dist"}


class OracleError(Exception):
    """The oracle itself is unusable (tests missing or not collectable, command not found)."""


@dataclass(frozen=True)
class Oracle:
    kind: str  # "script" | "tests" | "command"
    target: str  # the file under repair, relative to root (posix)
    tests: tuple[str, ...] = ()
    command: tuple[str, ...] = ()
    shell: bool = False
    args: tuple[str, ...] = ()

    def describe(self) -> str:
        if self.kind == "tests":
            return "pytest " + " ".join(self.tests)
        if self.kind == "command":
            return " ".join(self.command) if not self.shell else self.command[-1]
        return "python " + " ".join((self.target, *self.args))


@dataclass(frozen=True)
class TestOutcome:
    __test__ = False  # a value, not a pytest test class

    id: str
    outcome: str  # "passed" | "failed" | "timeout" | "skipped"
    message: str = ""
    line: int | None = None
    lines: tuple[int, ...] = ()
    error: ErrorInfo | None = None
    ms: int = 0


@dataclass(frozen=True)
class Observation:
    outcomes: tuple[TestOutcome, ...]
    duration_ms: int = 0
    output: str = ""
    runner: str = "light"

    @property
    def passed(self) -> frozenset[str]:
        return frozenset(o.id for o in self.outcomes if o.outcome == "passed")

    @property
    def failed(self) -> frozenset[str]:
        return frozenset(o.id for o in self.outcomes if o.outcome in ("failed", "timeout"))

    @property
    def ok(self) -> bool:
        return bool(self.outcomes) and not self.failed

    @property
    def timed_out(self) -> bool:
        return any(o.outcome == "timeout" for o in self.outcomes)

    def first_error(self) -> ErrorInfo | None:
        for outcome in self.outcomes:
            if outcome.error is not None and outcome.outcome != "passed":
                return outcome.error
        return None

    def summary(self) -> str:
        failing = [o for o in self.outcomes if o.outcome in ("failed", "timeout")]
        if len(self.outcomes) == 1 and self.outcomes[0].id in ("script", "command"):
            single = self.outcomes[0]
            if single.outcome == "passed":
                return "exit 0"
            if single.outcome == "timeout":
                return "timeout"
            return single.error.type if single.error else (single.message or "failed")
        if not failing:
            return f"{len(self.passed)}/{len(self.outcomes)} tests pass"
        if self.timed_out:
            return f"{len(failing)} failing (timeout)"
        return f"{len(failing)} failing"

    def side(self) -> OracleSide:
        status = "passed" if self.ok else ("timeout" if self.timed_out else "failed")
        return OracleSide(status, len(self.passed), len(self.failed), self.summary())

    def report_text(self, limit: int = 4000) -> str:
        """A human/model readable account of what failed, truncated head and tail."""
        parts = []
        for outcome in self.outcomes:
            if outcome.outcome in ("failed", "timeout"):
                where = f" (line {outcome.line})" if outcome.line else ""
                parts.append(f"{outcome.outcome.upper()} {outcome.id}{where}: {outcome.message}")
                if outcome.error and outcome.error.frames:
                    trail = " <- ".join(
                        f"{f.file}:{f.line} in {f.function}" for f in outcome.error.frames[::-1][:6]
                    )
                    parts.append(f"  at {trail}")
        text = "\n".join(parts) or self.output
        return text if len(text) <= limit else text[: limit // 2] + "\n...\n" + text[-limit // 2 :]


def outcome_from_record(record: Mapping[str, object]) -> TestOutcome:
    error = None
    raw = record.get("error")
    if isinstance(raw, dict):
        frames = tuple(
            Frame(str(f[0]), int(f[1] or 0), str(f[2]))
            for f in raw.get("frames", [])
            if len(f) == 3
        )
        last = frames[-1] if frames else None
        error = ErrorInfo(
            type=str(raw.get("type", "Error")),
            message=str(raw.get("message", "")),
            file=last.file if last else None,
            line=last.line if last else None,
            frames=frames,
        )
    message = str(record.get("message") or "")
    if not message and error is not None:
        message = f"{error.type}: {error.message}" if error.message else error.type
    if not message and record.get("exit"):
        message = f"exit status {record['exit']}"
    line = record.get("line")
    lines = record.get("lines")
    return TestOutcome(
        id=str(record.get("id")),
        outcome=str(record.get("outcome", "failed")),
        message=message,
        line=int(line) if isinstance(line, int) else None,
        lines=tuple(int(n) for n in lines) if isinstance(lines, list) else (),
        error=error,
        ms=ms if isinstance(ms := record.get("ms"), int) else 0,
    )


def observation_from_response(response: Mapping[str, object]) -> Observation:
    records = response.get("results")
    if not isinstance(records, list):
        records = []
    outcomes = tuple(outcome_from_record(r) for r in records if isinstance(r, dict))
    return Observation(
        outcomes=outcomes,
        duration_ms=int(response.get("duration_ms") or 0),  # type: ignore[call-overload]
        runner=str(response.get("runner") or "light"),
    )


def observation_from_run(result: RunResult, name: str = "command") -> Observation:
    """A one-outcome observation of a fresh process (a command or a fresh script run)."""
    if result.status is Status.OK:
        outcome = TestOutcome(name, "passed")
    elif result.status is Status.TIMEOUT:
        outcome = TestOutcome(name, "timeout", "timed out")
    else:
        message = result.error.type if result.error else f"exit status {result.exit_code}"
        outcome = TestOutcome(name, "failed", message, error=result.error)
    tail = (result.stdout[-2000:] + "\n" + result.stderr[-2000:]).strip()
    return Observation((outcome,), result.duration_ms, tail, runner="fresh")


def worker_request(
    oracle: Oracle,
    *,
    overlay: Mapping[str, str] | None = None,
    timeout: float,
    coverage: bool = False,
    stop_on_fail: bool = False,
    order: Sequence[str] = (),
    isolate_hangs: bool = False,
    runner: str = "light",
    memory_mb: int | None = None,
    test_timeout: float | None = None,
) -> dict[str, object]:
    """A worker request; `timeout` kills the whole child, `test_timeout` interrupts one test."""
    return {
        "kind": "script" if oracle.kind == "script" else "tests",
        "target": oracle.target,
        "tests": list(oracle.tests),
        "args": list(oracle.args),
        "overlay": dict(overlay or {}),
        "timeout": timeout,
        "test_timeout": test_timeout if test_timeout is not None else timeout,
        "coverage": coverage,
        "stop_on_fail": stop_on_fail,
        "order": list(order),
        "isolate_hangs": isolate_hangs,
        "runner": runner,
        "memory_mb": memory_mb,
    }


def worker_spec(root: Path, limits: Limits, *, once: bool, stdin: bytes = b"") -> RunSpec:
    argv = ("-c", WORKER_SOURCE, "--once") if once else ("-c", WORKER_SOURCE)
    return RunSpec(
        argv=argv, root=root, limits=limits, stdin=stdin, env={"PYTHONDONTWRITEBYTECODE": "1"}
    )


async def observe_fresh_worker(
    sandbox: Sandbox, root: Path, request: Mapping[str, object], limits: Limits
) -> Observation:
    """Run one worker request in a fresh sandbox process (the fallback when no warm worker)."""
    payload = json.dumps(dict(request)).encode()
    result = await sandbox.run(worker_spec(root, limits, once=True, stdin=payload))
    for line in reversed(result.stdout.splitlines()):
        if line.startswith("{"):
            try:
                return observation_from_response(json.loads(line))
            except (ValueError, TypeError):
                break
    name = "script" if request.get("kind") == "script" else "<worker>"
    return observation_from_run(result, name)


async def run_pytest_fresh(
    sandbox: Sandbox, root: Path, tests: Sequence[str], overlay: Mapping[str, str], limits: Limits
) -> tuple[RunResult, int, int]:
    """Real `python -m pytest` in a fresh sandbox process; returns (result, passed, failed)."""
    argv = ("-m", "pytest", "-q", "-p", "no:cacheprovider", "--no-header", "-rN", *tests)
    result = await sandbox.run(
        RunSpec(
            argv=argv,
            root=root,
            limits=limits,
            overlay=dict(overlay),
            env={"PYTHONDONTWRITEBYTECODE": "1"},
        )
    )
    return (
        result,
        _count(result.stdout, "passed"),
        _count(result.stdout, "failed") + _count(result.stdout, "error"),
    )


def _count(text: str, word: str) -> int:
    found = re.findall(rf"(\d+) {word}", text[-4000:])
    return int(found[-1]) if found else 0


def command_spec(oracle: Oracle, root: Path, overlay: Mapping[str, str], limits: Limits) -> RunSpec:
    return RunSpec(
        argv=oracle.command,
        root=root,
        limits=limits,
        use_python=False,
        overlay=dict(overlay),
        env={"PYTHONDONTWRITEBYTECODE": "1"},
    )


def parse_command(command: str, allow_shell: bool) -> tuple[tuple[str, ...], bool]:
    """Split a user command; shell syntax needs allow_shell (then it runs under `sh -c`)."""
    if any(ch in command for ch in "|&;<>$`*?(){}\n"):
        if not allow_shell:
            raise OracleError(
                f"the command {command!r} uses shell syntax; pass --allow-shell to run it with sh -c"
            )
        return ("sh", "-c", command), True
    try:
        argv = tuple(shlex.split(command))
    except ValueError as exc:
        raise OracleError(f"cannot parse the command {command!r}: {exc}") from exc
    if not argv:
        raise OracleError("the command is empty")
    return argv, False


# ---- the language server's test helpers -------------------------------------------------------


@dataclass(frozen=True)
class TestFailure:
    __test__ = False  # a value, not a pytest test class

    nodeid: str
    file: str  # relative to root
    line: int | None
    message: str


@dataclass(frozen=True)
class TestReport:
    __test__ = False  # a value, not a pytest test class

    passed: int
    failed: int
    failures: tuple[TestFailure, ...] = ()
    duration_ms: int = 0
    output: str = ""
    errors: tuple[str, ...] = field(default_factory=tuple)


def discover_tests_for(path: str | Path, root: str | Path) -> list[str]:
    """Pytest files under `root` (relative, posix) that import the module defined by `path`."""
    root_path = Path(root).resolve()
    target = Path(path)
    if not target.is_absolute():
        target = root_path / target
    module = target.stem
    target = target.resolve()
    found: list[str] = []
    for current, dirnames, filenames in os.walk(root_path):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not d.startswith("."))
        for name in sorted(filenames):
            if not (name.startswith("test_") or name.endswith("_test.py")) or not name.endswith(
                ".py"
            ):
                continue
            file = Path(current) / name
            if file.resolve() == target:
                continue
            if _imports_module(file, module):
                found.append(file.relative_to(root_path).as_posix())
    return found


def _imports_module(file: Path, module: str) -> bool:
    try:
        tree = ast.parse(file.read_text(encoding="utf-8", errors="replace"))
    except (SyntaxError, ValueError, OSError):
        return False
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            if any(alias.name.split(".")[-1] == module for alias in node.names):
                return True
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module.split(".")[-1] == module or any(a.name == module for a in node.names):
                return True
    return False


async def run_tests(
    root: str | Path,
    tests: Sequence[str],
    *,
    settings: Settings,
    overlay: Mapping[str, str] | None = None,
    command: str | None = None,
) -> TestReport:
    """Run tests once in a fresh sandbox (pytest with a recorder, or a command) and report."""
    from fixloop.sandbox import open_sandbox

    root_path = Path(root)
    limits = Limits(wall_seconds=settings.timeout, memory_mb=settings.memory)
    sandbox = await open_sandbox(
        settings.sandbox, python=settings.python or None, image=settings.docker_image
    )
    try:
        if command:
            argv, _ = parse_command(command, settings.allow_shell)
            oracle = Oracle("command", "", command=argv)
            result = await sandbox.run(command_spec(oracle, root_path, overlay or {}, limits))
            ok = result.status is Status.OK
            failures: tuple[TestFailure, ...] = (
                () if ok else (TestFailure(command, "", None, result.stderr[-500:]),)
            )
            return TestReport(
                int(ok),
                int(not ok),
                failures,
                result.duration_ms,
                result.stdout[-4000:] + result.stderr[-4000:],
            )
        oracle = Oracle("tests", "", tests=tuple(tests))
        request = worker_request(
            oracle,
            overlay=overlay,
            timeout=settings.timeout,
            runner="pytest",
            memory_mb=settings.memory,
        )
        observation = await observe_fresh_worker(sandbox, root_path, request, limits)
    finally:
        await sandbox.close()
    test_failures = tuple(
        TestFailure(o.id, o.id.split("::")[0], o.line, o.message)
        for o in observation.outcomes
        if o.outcome in ("failed", "timeout")
    )
    return TestReport(
        len(observation.passed),
        len(test_failures),
        test_failures,
        observation.duration_ms,
        observation.report_text(),
    )
