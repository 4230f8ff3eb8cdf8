"""The first user turn of a repair conversation, under a total size cap.

It shows the file (whole up to `WHOLE_FILE_LINES` lines, else the target with some context),
the target range, the failing check, then what a debugger would show of the failure
(`context.failure_sections`: the failing tests' source and fixtures, pytest's explanation, the
locals at the failure, the printed output, the suspicious lines, the best partial candidate),
the failure report, earlier rejected attempts and the instructions. Every section is redacted
before it is measured. When the whole is over `PROMPT_CHARS`, the least useful sections go
first (`context.compose`); if the file alone is still too large, it is shown with less context
around the target, and at last cut head and tail.
"""

from __future__ import annotations

from collections.abc import Callable

from fixloop.repair.engine import RepairSession
from fixloop.repair.llm.context import Keep, Section, compose, failure_sections, scrubbed
from fixloop.repair.llm.prompts import (
    describe_attempt,
    fenced,
    head_tail,
    numbered,
    one_line,
    scrubber,
)

# About 10,000 tokens: room for the file and every part of the context at its own bound, with
# the least useful parts cut first when a large file needs the room.
PROMPT_CHARS = 40_000
WHOLE_FILE_LINES = 400  # files up to this long are shown whole
CONTEXT_LINES = 60  # lines around the target shown of a longer file
NARROW_CONTEXT_LINES = 15  # ... when the prompt is over its cap
MAX_REJECTED = 3


def _listing(session: RepairSession, context_lines: int | None) -> str:
    source, target = session.source, session.target
    total = len(source.splitlines())
    first, last = 1, total
    if context_lines is not None:
        first = max(1, target.start - context_lines)
        last = min(total, target.end + context_lines)
    return (
        f"File `{session.path.as_posix()}` (lines {first}-{last} of {total} shown):\n"
        f"{fenced(numbered(source, first, last), 'python')}"
    )


def _sections(
    session: RepairSession, listing: str, max_rejected: int, scrub: Callable[[str], str]
) -> list[Section]:
    target, failure = session.target, session.failure
    check = f"The check `{session.oracle_description}` fails: {one_line(failure.summary)}"
    if failure.diagnostic:
        # The program passes its check; the failure to fix is the checker's diagnostic.
        check = (
            f"The failure: {one_line(failure.diagnostic)}\n"
            f"The check `{session.oracle_description}` passes and must keep passing; the fix "
            "must clear this diagnostic without a new one, and without hiding it (no ignore "
            "comments, no `Any` casts)."
        )
    elif failure.error_line:
        check += f"\nThe error is raised at line {failure.error_line}."
    sections = [
        Section(listing, Keep.ALWAYS),
        Section(
            f"Target range: lines {target.start}-{target.end}. Current text of the range:\n"
            f"{fenced(numbered(session.source, target.start, target.end), 'python')}",
            Keep.ALWAYS,
        ),
        Section(check, Keep.ALWAYS),
    ]
    context = failure_sections(session, scrub)
    sections.extend(context)
    explained = any(s.keep == Keep.EXPLANATION for s in context)
    sections.append(
        Section(
            f"The failure report:\n{fenced(head_tail(failure.output))}",
            Keep.RAW_REPORT if explained else Keep.EXPLANATION,
        )
    )
    rejected = list(session.rejected())[-max_rejected:]
    if rejected:
        attempts = [describe_attempt(text, verdict) for text, verdict in rejected]
        sections.append(
            Section(
                "Earlier attempts that were rejected (do not repeat them):\n" + "\n".join(attempts),
                Keep.SUSPICIOUS,
            )
        )
    # Under `auto` the offline engine went first; its candidates are too many and too alike to
    # list, but knowing they failed steers the model away from one-token tweaks.
    searched = session.tried - len(session.rejected())
    if searched > 0:
        sections.append(
            Section(
                f"An automatic search already tried {searched} small edits (rule-based fixes "
                "and one-token changes to the suspicious lines) and none passed; the fix needs "
                "more than that.",
                Keep.ALWAYS,
            )
        )
    sections.append(
        Section(
            f"Reply with one ```python block: the complete new text of lines "
            f"{target.start}-{target.end}.",
            Keep.ALWAYS,
        )
    )
    return sections


def _size(sections: list[Section]) -> int:
    return sum(len(s.text) + 2 for s in sections)


def fix_prompt(
    session: RepairSession,
    *,
    scrub: Callable[[str], str] | None = None,
    max_rejected: int = MAX_REJECTED,
) -> str:
    """The first user turn, redacted by `scrub` (else by a `scrubber` of the session's root),
    at most `PROMPT_CHARS` long."""
    scrub = scrub or scrubber(root=session.root)
    total = len(session.source.splitlines())
    widths = [None if total <= WHOLE_FILE_LINES else CONTEXT_LINES, NARROW_CONTEXT_LINES]
    kept: list[Section] = []
    for width in widths:
        listing = _listing(session, width)
        sections = scrubbed(_sections(session, listing, max_rejected, scrub), scrub)
        kept = compose(sections, PROMPT_CHARS)
        if _size(kept) <= PROMPT_CHARS:
            break
    over = _size(kept) - PROMPT_CHARS
    if over > 0:
        # Only the parts that always stay are left, and the file is still too large.
        shown = kept[0].text
        room = max(1_000, len(shown) - over)
        kept[0] = Section(head_tail(shown, room, scrub), Keep.ALWAYS)
    return "\n\n".join(section.text for section in kept)
