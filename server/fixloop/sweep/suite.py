"""Running the whole suite once in a sandbox: the sweep's first look and its final proof.

`suite_arguments` turns `--test-command` into pytest arguments (a sweep reads outcomes through
pytest's hooks, so the command must be a pytest invocation). `run_suite` runs the suite probe
(`probe_program.py`) in a fresh sandbox process on the project, optionally with some files
replaced (the combined patch), and returns a `SuiteOutcome`: every test's outcome and, for each
failing test, the traceback frames inside the project. `SuiteError` says why a suite cannot be
swept (no tests, a collection error, no pytest in the interpreter).
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from fixloop.sandbox.base import MIB, Limits, RunSpec, Sandbox, Status
from fixloop.sweep.model import SuiteRun

DEFAULT_ARGS = ("-q", "-p", "no:cacheprovider", "--no-header", "-rN")
OUTPUT_LIMIT = 64 * MIB


class SuiteError(Exception):
    """The suite cannot be swept: the message says why and what to do."""


@dataclass(frozen=True)
class TestRecord:
    __test__ = False  # a value, not a pytest test class

    nodeid: str
    outcome: str  # passed, failed, skipped
    message: str = ""
    frames: tuple[tuple[str, int, str], ...] = ()  # (file, line, function), innermost last


@dataclass(frozen=True)
class SuiteOutcome:
    records: tuple[TestRecord, ...]
    duration_ms: int

    @property
    def failing(self) -> tuple[TestRecord, ...]:
        return tuple(r for r in self.records if r.outcome == "failed")

    def run(self) -> SuiteRun:
        failed = frozenset(r.nodeid for r in self.failing)
        passed = frozenset(
            r.nodeid for r in self.records if r.outcome == "passed" and r.nodeid not in failed
        )
        return SuiteRun(passed, failed, self.duration_ms)


def suite_arguments(test_command: str | None) -> tuple[str, ...]:
    """pytest arguments from `--test-command` ("pytest ARGS" or "python -m pytest ARGS")."""
    if not test_command:
        return ()
    try:
        words = shlex.split(test_command)
    except ValueError as exc:
        raise SuiteError(f"cannot parse the test command {test_command!r}: {exc}") from exc
    if words and Path(words[0]).name in ("pytest", "py.test"):
        return tuple(words[1:])
    if (
        len(words) >= 3
        and Path(words[0]).name.startswith("python")
        and words[1:3]
        == [
            "-m",
            "pytest",
        ]
    ):
        return tuple(words[3:])
    raise SuiteError(
        f"the test command {test_command!r} is not a pytest run; a sweep reads each test's "
        "outcome through pytest, so give `pytest ARGS` or `python -m pytest ARGS`"
    )


def _probe_source() -> str:
    return resources.files("fixloop.sweep").joinpath("probe_program.py").read_text("utf-8")


def _records(raw: object) -> tuple[TestRecord, ...]:
    records: list[TestRecord] = []
    for item in raw if isinstance(raw, list) else []:
        if not isinstance(item, dict) or not isinstance(item.get("nodeid"), str):
            continue
        frames = tuple(
            (str(f[0]), int(f[1]), str(f[2]))
            for f in item.get("frames") or []
            if isinstance(f, list) and len(f) == 3
        )
        records.append(
            TestRecord(
                item["nodeid"],
                str(item.get("outcome") or "failed"),
                str(item.get("message") or ""),
                frames,
            )
        )
    return tuple(records)


async def run_suite(
    sandbox: Sandbox,
    root: Path,
    arguments: tuple[str, ...],
    *,
    wall_seconds: float,
    memory_mb: int,
    overlay: Mapping[str, str] | None = None,
) -> SuiteOutcome:
    """Run the suite once in a fresh sandbox process; raise SuiteError when it cannot be used."""
    spec = RunSpec(
        argv=("-c", _probe_source(), *DEFAULT_ARGS, *arguments),
        root=root,
        limits=Limits(wall_seconds=wall_seconds, memory_mb=memory_mb, output_bytes=OUTPUT_LIMIT),
        overlay=dict(overlay or {}),
        env={"PYTHONDONTWRITEBYTECODE": "1"},
    )
    result = await sandbox.run(spec)
    answer = _last_object(result.stdout)
    if answer is None:
        if result.status is Status.TIMEOUT:
            raise SuiteError(
                f"the suite did not finish within {wall_seconds:g}s; raise --suite-timeout"
            )
        tail = (result.stderr or result.stdout)[-1500:].strip()
        raise SuiteError(f"the suite could not run ({result.status.value}): {tail}")
    if answer.get("pytest_missing"):
        raise SuiteError("pytest is not installed in the interpreter that runs the project")
    errors = answer.get("collect_errors")
    if isinstance(errors, list) and errors:
        first = errors[0] if isinstance(errors[0], dict) else {}
        raise SuiteError(
            f"the suite does not collect ({len(errors)} collection error(s)); first, in "
            f"{first.get('nodeid') or 'the suite'}:\n{str(first.get('message', ''))[-1200:]}"
        )
    code = answer.get("exit_code")
    records = _records(answer.get("results"))
    if code == 5 or not records:
        raise SuiteError("no tests found: pytest collected nothing under the project")
    if code in (2, 3, 4):
        tail = result.stderr[-1200:].strip()
        raise SuiteError(
            f"pytest stopped with exit status {code} (a usage or internal error):\n{tail}"
        )
    return SuiteOutcome(records, result.duration_ms)


def _last_object(text: str) -> dict[str, object] | None:
    for line in reversed(text.splitlines()):
        if line.startswith("{"):
            try:
                value = json.loads(line)
            except ValueError:
                return None
            return value if isinstance(value, dict) else None
    return None
