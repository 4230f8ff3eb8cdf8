"""Test generation: the model writes pytest tests for a function, the sandbox runs them.

AutoGen's QA-agent pattern with the sandbox as judge. The model sees the module and the selected
lines and writes a complete test file; the file runs in the sandbox next to the module (as an
overlay, never written). A failing test goes back to the model, which must either correct the
test (its expectation was wrong) or keep it and declare `BUG: test_name: why` (the code is
wrong). The conversation ends when every test passes or every failing test is a declared bug
that fails on an assertion or an exception from the code, not on a mistake in the test itself.
The result is a diff that creates the new test file, the bugs found (which `fixloop fix --test`
can then repair), and the figures of the conversation. Files change only through `--write`.
"""

from __future__ import annotations

import difflib
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from fixloop.repair.llm.errors import ModelBudgetExhausted, ModelUnavailableError
from fixloop.repair.llm.extract import extract_code
from fixloop.repair.llm.prompts import fenced, head_tail, numbered, scrubber
from fixloop.settings import ModelConfig, Settings, model_config
from fixloop.spans import LineRange

if TYPE_CHECKING:
    from fixloop.repair.llm.client import ModelConversation
    from fixloop.test_runs import TestFailure, TestReport

TESTGEN_SYSTEM = """You write pytest tests. Reply with exactly one ```python fenced block holding \
a complete test file that imports the code under test as shown, with focused test functions \
that check the intended behaviour (from names, docstrings, comments and common sense), \
including edge cases. After the block, for every test you believe exposes a bug in the code \
under test, add one line `BUG: test_name: what is wrong`. When told that tests failed, either \
correct a test whose expectation was wrong, or keep it and declare it with a BUG line."""

_BUG_LINE = re.compile(r"^\s*(?:[-*]\s*)?BUG:\s*`?(test_\w+)`?\s*[:\-—]?\s*(.*)$", re.M)
# Failures that point at the test file itself, not at the code under test.
_TEST_MISTAKES = (
    "NameError",
    "ImportError",
    "ModuleNotFoundError",
    "SyntaxError",
    "IndentationError",
    "fixture",
    "collect",
)


@dataclass(frozen=True)
class BugFound:
    test: str  # the test function's name
    message: str  # how it failed
    explanation: str  # the model's reason

    def __str__(self) -> str:
        return f"{self.test}: {self.message}" + (
            f" ({self.explanation})" if self.explanation else ""
        )


@dataclass(frozen=True)
class GeneratedTests:
    path: Path  # the new test file, relative to root
    text: str  # its content ("" when none was produced)
    diff: str  # a unified diff creating it
    passed: int
    failed: int
    bugs: tuple[BugFound, ...] = field(default=())
    reason: str | None = None  # why no usable test file came out; None on success
    turns: int = 0
    tokens: int = 0
    cost_usd: float = 0.0
    transcript: str | None = None

    @property
    def ok(self) -> bool:
        return self.reason is None

    @property
    def bugs_found(self) -> tuple[str, ...]:
        return tuple(str(bug) for bug in self.bugs)


def test_file_for(relative: PurePosixPath, root: Path) -> PurePosixPath:
    """`test_<module>.py` next to the module, or `test_<module>_generated.py` when that exists."""
    candidate = relative.with_name(f"test_{relative.stem}.py")
    if (root / candidate).exists():
        candidate = relative.with_name(f"test_{relative.stem}_generated.py")
    return candidate


def creation_diff(relative: PurePosixPath, text: str) -> str:
    lines = text.splitlines(keepends=True)
    return "".join(difflib.unified_diff([], lines, "/dev/null", f"b/{relative.as_posix()}"))


def declared_bugs(answer: str) -> dict[str, str]:
    return {m.group(1): m.group(2).strip() for m in _BUG_LINE.finditer(answer)}


def _test_name(nodeid: str) -> str:
    return nodeid.rsplit("::", 1)[-1].split("[", 1)[0]


def _is_test_mistake(failure: TestFailure) -> bool:
    return any(word in failure.message for word in _TEST_MISTAKES)


def _first_prompt(
    relative: PurePosixPath, source: str, target: LineRange, test_path: PurePosixPath
) -> str:
    module = relative.with_suffix("").name
    names = _defined_names(source, target)
    total = len(source.splitlines())
    return "\n\n".join(
        [
            f"Module `{relative.as_posix()}`:",
            fenced(numbered(source, 1, min(total, 400)), "python"),
            f"Write tests for lines {target.start}-{target.end}:",
            fenced(numbered(source, target.start, target.end), "python"),
            f"The test file will be `{test_path.as_posix()}`, next to the module; import it with "
            f"`from {module} import {', '.join(names) or '...'}`.",
        ]
    )


def _defined_names(source: str, target: LineRange) -> list[str]:
    lines = source.splitlines()[target.start - 1 : target.end]
    return [
        m.group(1) for line in lines if (m := re.match(r"(?:async\s+)?(?:def|class)\s+(\w+)", line))
    ]


_SUMMARY_LINE = re.compile(r"^(FAILED|ERROR) (\S+)(?: - (.*))?$", re.M)
_COUNT = re.compile(r"(\d+) (passed|failed|error|errors)\b")


async def run_test_file(
    root: Path, test_path: PurePosixPath, overlay: dict[str, str], settings: Settings
) -> TestReport:
    """Run one (overlay-only) test file with pytest in the shared sandbox and parse its summary.

    `fixloop.test_runs.run_tests` expects test files that exist on disk; a generated file exists
    only as an overlay, so this runs plain pytest and reads its short summary instead.
    """
    from fixloop.execution import acquire_shared, limits_for
    from fixloop.sandbox.base import RunSpec
    from fixloop.sandbox.shared import release
    from fixloop.test_runs import TestFailure, TestReport

    spec = RunSpec(
        argv=(
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-rfE",
            "--tb=short",
            "--color=no",
            test_path.as_posix(),
        ),
        root=root,
        limits=limits_for(settings),
        overlay=overlay,
        network=settings.network,
    )
    # The process's opened sandbox, not a new one per turn: a cancelled run still kills its tree.
    sandbox = await acquire_shared(settings, resident=False)
    try:
        run = await sandbox.run(spec)
    finally:
        release(sandbox, roots={root})
    output = run.stdout + ("\n" + run.stderr if run.stderr else "")
    failures = tuple(
        TestFailure(
            m.group(2), m.group(2).split("::")[0], None, (m.group(3) or m.group(1).lower()).strip()
        )
        for m in _SUMMARY_LINE.finditer(run.stdout)
    )
    counts: dict[str, int] = {}
    tail = run.stdout.strip().splitlines()[-1] if run.stdout.strip() else ""
    for number, word in _COUNT.findall(tail):
        key = "failed" if word.startswith("error") else word
        counts[key] = counts.get(key, 0) + int(number)
    return TestReport(
        counts.get("passed", 0),
        max(counts.get("failed", 0), len(failures)),
        failures,
        run.duration_ms,
        output,
    )


def _failure_feedback(failures: list[TestFailure], report: TestReport) -> str:
    listed = "\n".join(f"- {_test_name(f.nodeid)}: {f.message}" for f in failures)
    return (
        f"{report.passed} passed, {len(failures)} failed without a BUG declaration:\n{listed}\n\n"
        f"Output:\n{fenced(head_tail(report.output))}\n"
        "For each failing test: if its expectation is wrong, correct it; if the code under test is "
        "wrong, keep the test and add `BUG: test_name: why`. Reply with the complete test file."
    )


def _locate(
    path: str | Path, root: str | Path, source: str | None, line_range: LineRange | None
) -> tuple[Path, PurePosixPath, str, LineRange, PurePosixPath]:
    """Resolve the module, its text, the target lines and the new test file's path (sync I/O)."""
    root_path = Path(root).resolve()
    full = Path(path) if Path(path).is_absolute() else root_path / path
    relative = PurePosixPath(full.resolve().relative_to(root_path).as_posix())
    text = source if source is not None else full.read_text(encoding="utf-8")
    total = max(1, len(text.splitlines()))
    target = line_range or LineRange(1, total)
    if target.end > total:
        raise ValueError(
            f"lines {target.start}-{target.end} are outside {relative} ({total} lines)"
        )
    return root_path, relative, text, target, test_file_for(relative, root_path)


async def generate_tests(
    path: str | Path,
    root: str | Path,
    source: str | None = None,
    line_range: LineRange | None = None,
    settings: Settings | None = None,
    model: ModelConfig | None = None,
    *,
    progress: Callable[[str], None] | None = None,
) -> GeneratedTests:
    """Have the model write pytest tests for `line_range` of `path` until the sandbox agrees."""
    from fixloop.repair.llm.client import ModelConversation
    from fixloop.transcript import Transcript

    settings = settings or Settings()
    root_path, relative, text, target, test_path = _locate(path, root, source, line_range)
    report_progress = progress or (lambda message: None)
    config = model or model_config(settings)
    conversation = ModelConversation(config, system_message=TESTGEN_SYSTEM)
    scrub = scrubber(root=root_path, extra_secrets=[config.api_key] if config.api_key else [])
    transcript = Transcript(f"tests-{relative.stem}")

    def record(kind: str, **fields: object) -> None:
        transcript.write(
            kind, **{k: scrub(v) if isinstance(v, str) else v for k, v in fields.items()}
        )

    record(
        "tests",
        file=relative.as_posix(),
        lines=f"{target.start}-{target.end}",
        test_file=test_path.as_posix(),
        model=config.model,
    )
    deadline = time.monotonic() + settings.budget

    def finish(
        code: str, report: TestReport, bugs: tuple[BugFound, ...], reason: str | None
    ) -> GeneratedTests:
        return GeneratedTests(
            Path(test_path),
            code,
            creation_diff(test_path, code),
            report.passed,
            report.failed,
            bugs,
            reason,
            conversation.turns,
            conversation.tokens,
            conversation.cost_usd(),
            transcript.location,
        )

    async def converse() -> GeneratedTests:
        message = _first_prompt(relative, text, target, test_path)
        best = GeneratedTests(
            Path(test_path), "", "", 0, 0, reason="the model wrote no usable test file"
        )
        try:
            for turn in range(1, settings.max_turns + 1):
                if time.monotonic() >= deadline:
                    return _with_reason(best, "the wall-time budget ran out", conversation)
                if conversation.over_token_budget():
                    return _with_reason(best, "the token budget ran out", conversation)
                report_progress(f"model turn {turn}/{settings.max_turns}")
                answer = await conversation.ask(scrub(message), deadline=deadline)
                extraction = extract_code(
                    answer.text,
                    finish_reason=answer.finish_reason,
                    max_chars=conversation.limits.max_answer_chars,
                )
                if extraction.code is None:
                    record("model_rejected", turn=turn, reason=extraction.reason)
                    message = f"Your answer could not be used: {extraction.reason}."
                    continue
                code = extraction.code
                overlay = {test_path.as_posix(): code}
                if source is not None:
                    overlay[relative.as_posix()] = source
                report = await run_test_file(root_path, test_path, overlay, settings)
                claimed = declared_bugs(answer.text)
                record(
                    "run",
                    turn=turn,
                    code=code,
                    passed=report.passed,
                    failed=report.failed,
                    failures=[f"{f.nodeid}: {f.message}" for f in report.failures],
                    declared_bugs=sorted(claimed),
                )
                report_progress(f"turn {turn}: {report.passed} passed, {report.failed} failed")
                if report.passed + report.failed == 0:
                    message = (
                        f"No test ran. Output:\n{fenced(head_tail(report.output))}\n"
                        "Reply with a complete, importable pytest file."
                    )
                    continue
                bugs, open_failures = [], []
                for failure in report.failures:
                    name = _test_name(failure.nodeid)
                    if name in claimed and not _is_test_mistake(failure):
                        bugs.append(BugFound(name, failure.message, claimed[name]))
                    else:
                        open_failures.append(failure)
                if not open_failures:
                    return finish(code, report, tuple(bugs), None)
                best = finish(
                    code,
                    report,
                    tuple(bugs),
                    "some generated tests still fail without a declared bug",
                )
                message = _failure_feedback(open_failures, report)
            return _with_reason(
                best,
                best.reason or f"no passing test file within {settings.max_turns} turns",
                conversation,
            )
        except (ModelUnavailableError, ModelBudgetExhausted) as error:
            return _with_reason(best, str(error), conversation)

    try:
        result = await converse()
        record(
            "result",
            ok=result.ok,
            reason=result.reason,
            passed=result.passed,
            failed=result.failed,
            bugs=list(result.bugs_found),
            turns=conversation.turns,
            prompt_tokens=conversation.prompt_tokens,
            completion_tokens=conversation.completion_tokens,
            tokens=conversation.tokens,
            cost_usd=round(conversation.cost_usd(), 6),
        )
    finally:
        await conversation.close()
        transcript.close()
    return replace(result, transcript=transcript.location)


def _with_reason(
    result: GeneratedTests, reason: str, conversation: ModelConversation
) -> GeneratedTests:
    return replace(
        result,
        reason=reason,
        turns=conversation.turns,
        tokens=conversation.tokens,
        cost_usd=conversation.cost_usd(),
    )
