"""What a debugger would show about the failure, as bounded sections of the model's first turn.

Each part has its own bound (the constants below) and a `Keep` rank that says how useful it is:
when the whole prompt is over its cap, `compose` drops the least useful sections first. The
parts, and where they come from:
- the failing tests, one line each (the baseline's `Failure.tests`);
- per failing case, pytest's explanation (the failing lines and `E` lines of assertion
  introspection, from the fresh pytest run or the worker's pytest) and its parametrize values;
- the locals of the deepest frame inside the target when it failed (short reprs computed by the
  worker in the sandbox; nothing is evaluated here);
- the output printed before the failure (captured by the worker or by pytest);
- the source of the failing test functions, the data their cases come from, and the fixtures
  they use (`testsource`, read from the files with `ast`);
- the most suspicious lines of fault localisation, with their score and text;
- the best partial candidate of a multi-round search: which tests it turns green, and its edit.
Text from the program (test ids, messages, parameters, reprs, output, source) only appears
inside `fenced` blocks, each line cut by `one_line` or `head_tail` after redaction. The caller
redacts every whole section (`scrubbed`) before it is measured, so the cap holds for what is
sent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import IntEnum

from fixloop.observation import TestOutcome
from fixloop.patch import unified_diff
from fixloop.redact import redactor
from fixloop.repair.engine import Failure, PartialCandidate, RepairSession
from fixloop.repair.llm.prompts import fenced, head_tail, one_line
from fixloop.repair.llm.testsource import Excerpt, FixtureSource, TestSource, TestSources

# Failing cases listed by id and message, and those shown with pytest's explanation.
MAX_TESTS_LISTED = 12
MAX_TESTS_EXPLAINED = 4
EXPLANATION_CHARS = 1_500
PARAMS_CHARS = 600
# Frames whose locals are shown (one per failing test function first), locals per frame, and
# the length of one local's line.
MAX_LOCALS_FRAMES = 2
MAX_LOCALS_SHOWN = 20
LOCAL_CHARS = 200
# Printed output: of a script, and of up to MAX_OUTPUTS failing tests.
SCRIPT_OUTPUT_CHARS = 3_000
TEST_OUTPUT_CHARS = 1_500
MAX_OUTPUTS = 2
# Source: failing test functions shown, their length, the data definitions of their cases.
MAX_TEST_FUNCTIONS = 3
TEST_SOURCE_CHARS = 2_000
DATA_CHARS = 600
MAX_FIXTURES_SHOWN = 6
FIXTURE_CHARS = 1_200
# Fault localisation: lines shown and the length of each line's text.
MAX_SUSPICIOUS = 8
SUSPICIOUS_LINE_CHARS = 160
# The best partial candidate: the tests named and its edit.
PARTIAL_TESTS_LISTED = 8
PARTIAL_DIFF_CHARS = 1_500
SINGLE_RUN_NAMES = {"script": "the program", "command": "the command"}


class Keep(IntEnum):
    """How useful a section is; when the prompt is over its cap, the highest rank goes first."""

    ALWAYS = 0  # the file, the range, what failed, the instructions
    EXPLANATION = 1  # pytest's explanation, the exception, the locals at the failure
    TEST_SOURCE = 2  # the failing tests' source, the best partial candidate
    OUTPUT = 3  # printed output, the list of the other failing tests
    SUSPICIOUS = 4  # fault localisation, earlier rejected attempts
    FIXTURES = 5  # the fixtures' source
    RAW_REPORT = 6  # the one-line report, when the explanations say more


@dataclass(frozen=True)
class Section:
    text: str
    keep: Keep


def compose(sections: Sequence[Section], cap: int) -> list[Section]:
    """`sections` in their order, without the least useful ones while the total is over `cap`
    (the last of equally useful sections goes first; `Keep.ALWAYS` sections always stay)."""
    kept = list(sections)
    total = sum(len(s.text) + 2 for s in kept)
    for rank in sorted({s.keep for s in kept if s.keep != Keep.ALWAYS}, reverse=True):
        for section in reversed([s for s in kept if s.keep == rank]):
            if total <= cap:
                return kept
            kept.remove(section)
            total -= len(section.text) + 2
    return kept


def clip_lines(text: str, limit: int) -> str:
    """The first whole lines of `text` that fit in `limit` characters, and how many were left."""
    if len(text) <= limit:
        return text
    lines = text.splitlines()
    shown: list[str] = []
    size = 0
    for line in lines:
        if size + len(line) + 1 > limit and shown:
            break
        shown.append(line[:limit])
        size += len(line) + 1
    return "\n".join(shown) + f"\n# ... {len(lines) - len(shown)} more lines not shown"


@dataclass(frozen=True)
class _Cut:
    """Cuts program text to its bound, redacting it first, with one redactor for the whole turn
    (looking the process's redactor up for every line cost more than building the turn)."""

    redact: Callable[[str], str]

    def line(self, text: str, limit: int) -> str:
        return one_line(text, limit, self.redact)

    def ends(self, text: str, limit: int) -> str:
        return head_tail(text, limit, self.redact)


def _name(node: str) -> str:
    return SINGLE_RUN_NAMES.get(node, node)


def _block(title: str, lines: Iterable[str], keep: Keep) -> Section:
    """A section: a title of ours, then text from the program inside a code block."""
    return Section(f"{title}\n{fenced(chr(10).join(lines))}", keep)


def _one_case_per_function_first(tests: Iterable[TestOutcome]) -> list[TestOutcome]:
    """`tests` with the first case of every test function first, then the other cases."""
    tests = list(tests)
    functions: set[str] = set()
    first = []
    for test in tests:
        function = test.id.partition("[")[0]
        if function not in functions:
            functions.add(function)
            first.append(test)
    return first + [t for t in tests if t not in first]


def _listed(cut: _Cut, failure: Failure) -> Section | None:
    tests = [t for t in failure.tests if t.id not in SINGLE_RUN_NAMES]
    if not tests:
        return None
    total = max(len(failure.failing_tests), len(tests))
    lines = [cut.line(f"{t.id}: {t.message}", 240) for t in tests[:MAX_TESTS_LISTED]]
    if total > MAX_TESTS_LISTED:
        lines.append(f"... and {total - MAX_TESTS_LISTED} more")
    return _block(f"Failing tests ({total}):", lines, Keep.OUTPUT)


def _case(cut: _Cut, test: TestOutcome) -> list[str]:
    """The first lines of a block about one failing case: its id and its parameters."""
    lines = [f"test: {cut.line(_name(test.id), 300)}"]
    if test.detail is not None and test.detail.params:
        values = ", ".join(f"{name} = {value}" for name, value in test.detail.params)
        lines.append(f"parameters: {cut.line(values, PARAMS_CHARS)}")
    return lines


def _explanations(cut: _Cut, failure: Failure) -> list[Section]:
    explained = [t for t in failure.tests if t.detail is not None and t.detail.explanation]
    sections = []
    for test in explained[:MAX_TESTS_EXPLAINED]:
        assert test.detail is not None
        sections.append(
            _block(
                "What pytest reported for a failing test (its id, its parameters, then the "
                "failing lines and pytest's `E` lines):",
                [*_case(cut, test), cut.ends(test.detail.explanation, EXPLANATION_CHARS)],
                Keep.EXPLANATION,
            )
        )
    return sections


def _locals(cut: _Cut, failure: Failure) -> list[Section]:
    """The locals at the failure, one frame per failing test function first."""
    chosen = _one_case_per_function_first(
        t for t in failure.tests if t.detail is not None and t.detail.locals
    )
    sections = []
    for test in chosen[:MAX_LOCALS_FRAMES]:
        assert test.detail is not None and test.detail.locals is not None
        frame = test.detail.locals
        body = [
            *_case(cut, test),
            cut.line(f"frame: {frame.function} at {frame.file} line {frame.line}", 300),
            *(
                cut.line(f"{name} = {value}", LOCAL_CHARS)
                for name, value in frame.values[:MAX_LOCALS_SHOWN]
            ),
        ]
        left = frame.omitted + max(0, len(frame.values) - MAX_LOCALS_SHOWN)
        if left:
            body.append(f"({left} more locals not shown)")
        sections.append(
            _block(
                "The local variables of the deepest frame inside the file under repair when "
                "it failed (short reprs):",
                body,
                Keep.EXPLANATION,
            )
        )
    return sections


def _outputs(cut: _Cut, failure: Failure) -> list[Section]:
    printed = [t for t in failure.tests if t.detail is not None and t.detail.output.strip()]
    sections = []
    for test in printed[:MAX_OUTPUTS]:
        assert test.detail is not None
        single = test.id in SINGLE_RUN_NAMES
        body = cut.ends(test.detail.output, SCRIPT_OUTPUT_CHARS if single else TEST_OUTPUT_CHARS)
        if single:
            title = f"Output {_name(test.id)} printed before it failed:"
        else:
            title = "Output printed before a test failed (its id first):"
            body = f"test: {cut.line(test.id, 300)}\n{body}"
        sections.append(_block(title, [body], Keep.OUTPUT))
    return sections


def _excerpt(cut: _Cut, excerpt: Excerpt, limit: int) -> str:
    where = cut.line(f"{excerpt.file} line {excerpt.first_line}", 300)
    return f"{where}:\n{fenced(clip_lines(excerpt.text, limit), 'python')}"


def _test_sources(cut: _Cut, sources: Sequence[TestSource]) -> Section | None:
    if not sources:
        return None
    parts = ["Source of the failing tests:"]
    for source in sources:
        parts.append(_excerpt(cut, source.function, TEST_SOURCE_CHARS))
        parts.extend(
            f"Its cases come from {_excerpt(cut, data, DATA_CHARS)}" for data in source.data
        )
    return Section("\n".join(parts), Keep.TEST_SOURCE)


def _fixtures(cut: _Cut, sources: Sequence[TestSource]) -> Section | None:
    fixtures: dict[tuple[str, str], FixtureSource] = {}
    elsewhere: dict[str, None] = {}
    for source in sources:
        for fixture in source.fixtures:
            fixtures.setdefault((fixture.name, fixture.excerpt.file), fixture)
        elsewhere.update(dict.fromkeys(source.elsewhere))
    if not fixtures and not elsewhere:
        return None
    parts = ["Fixtures these tests use (resolved through the test module and conftest.py files):"]
    for fixture in list(fixtures.values())[:MAX_FIXTURES_SHOWN]:
        why = "autouse" if fixture.autouse else f"requested by {fixture.requested_by}"
        parts.append(f"`{fixture.name}` ({why}), {_excerpt(cut, fixture.excerpt, FIXTURE_CHARS)}")
    if len(fixtures) > MAX_FIXTURES_SHOWN:
        parts.append(f"({len(fixtures) - MAX_FIXTURES_SHOWN} more fixtures not shown)")
    if elsewhere:
        names = cut.line(", ".join(elsewhere), 300)
        parts.append(f"Fixtures from pytest or a plugin (not in the project): {names}")
    return Section("\n".join(parts), Keep.FIXTURES)


def _suspicious(session: RepairSession) -> Section | None:
    lines = session.source.splitlines()
    rows = [
        f"{line:>5}  {score:.2f}  {lines[line - 1].strip()[:SUSPICIOUS_LINE_CHARS]}"
        for line, score in list(session.suspicious)[:MAX_SUSPICIOUS]
        if 0 < line <= len(lines)
    ]
    if not rows:
        return None
    table = "\n".join([" line  score  text", *rows])
    return Section(
        "The most suspicious lines by fault localisation (lines the failing tests run more "
        f"than the passing ones, and lines the traceback names):\n{fenced(table)}",
        Keep.SUSPICIOUS,
    )


def partial_section(
    session: RepairSession, partial: PartialCandidate, redact: Callable[[str], str] | None = None
) -> Section:
    """Which failing tests the best partial candidate turns green, and its edit."""
    cut = _Cut(redact or redactor(session.root))
    fixed = sorted(partial.fixed_tests)
    still = sorted(partial.still_failing)

    def names(tests: list[str]) -> list[str]:
        shown = [cut.line(_name(t), 240) for t in tests[:PARTIAL_TESTS_LISTED]]
        more = len(tests) - PARTIAL_TESTS_LISTED
        return shown + ([f"... and {more} more"] if more > 0 else [])

    listing = ["green with it:", *names(fixed)]
    if still:
        listing += ["still failing with it:", *names(still)]
    diff = unified_diff(session.source, partial.text, session.path.as_posix())
    body = [
        f"An earlier candidate ({cut.line(partial.origin, 120)}) turns {len(fixed)} of the "
        f"{len(fixed) + len(still)} failing tests green and breaks none; it is not enough on "
        "its own.",
        fenced("\n".join(listing)),
        f"Its edit:\n{fenced(cut.ends(diff, PARTIAL_DIFF_CHARS), 'diff')}",
        "Build on it: keep what it fixed and fix the rest.",
    ]
    return Section("\n".join(body), Keep.TEST_SOURCE)


def _sources(session: RepairSession, tests: Iterable[TestOutcome]) -> list[TestSource]:
    """The source of up to MAX_TEST_FUNCTIONS failing test functions."""
    finder = TestSources(session.root)
    found: list[TestSource] = []
    functions: set[str] = set()
    for test in tests:
        function = test.id.partition("[")[0]
        if function in functions or test.id in SINGLE_RUN_NAMES:
            continue
        functions.add(function)
        source = finder.of(test.id)
        if source is not None:
            found.append(source)
        if len(found) >= MAX_TEST_FUNCTIONS:
            break
    return found


def failure_sections(
    session: RepairSession, redact: Callable[[str], str] | None = None
) -> list[Section]:
    """Every part of the failure's context that has something to say, in prompt order; texts
    are redacted (by `redact`, else the session's redactor) before they are cut."""
    cut = _Cut(redact or redactor(session.root))
    failure = session.failure
    sources = _sources(session, failure.tests)
    optional = [
        _listed(cut, failure),
        *_explanations(cut, failure),
        *_locals(cut, failure),
        *_outputs(cut, failure),
        _test_sources(cut, sources),
        _fixtures(cut, sources),
        _suspicious(session),
    ]
    partial = session.best_partial()
    if partial is not None:
        optional.append(partial_section(session, partial, cut.redact))
    return [section for section in optional if section is not None]


def scrubbed(sections: Iterable[Section], scrub: Callable[[str], str]) -> list[Section]:
    return [Section(scrub(section.text), section.keep) for section in sections]
