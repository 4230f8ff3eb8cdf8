"""What the model is told: system messages, the feedback turns, and the helpers every prompt uses.

Every text that leaves for the model passes `scrub`, which replaces the project root, the home
directory and every form of every secret (`fixloop.redact`: keys from the environment, credential
files; raw, hex, base64, URL-encoded, reversed), because the code under repair (or a prompt
injection in it) may try to get them sent out. Long outputs are cut by
`head_tail` so the model sees both how a run started and how it ended. Program output and code
go into the prompt through `fenced`, whose fence is longer than any run of backticks inside, so
text from the program can never close the block and pass for prompt text.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path

from fixloop.redact import redactor
from fixloop.repair.engine import CandidateVerdict

FEEDBACK_CHARS = 4000
REASON_CHARS = 300

FIX_SYSTEM = """You repair Python code. You get a file with a target range of lines, the failure \
the program shows, and earlier attempts that were rejected. Reply with exactly one ```python \
fenced block that holds the complete new text of the target lines only: whole lines with their \
original indentation, nothing outside the range, no diff, no placeholders such as \
'# ... rest unchanged'. Fix the cause. Do not change tests, do not catch and hide exceptions, do \
not exit early. Your replacement is run against the failing check; if it is rejected you get the \
reason and the output and try again."""


def head_tail(
    text: str, limit: int = FEEDBACK_CHARS, redact: Callable[[str], str] | None = None
) -> str:
    """At most about `limit` characters: the start and the end, with a mark for what was cut.
    Secrets are redacted first (by `redact`, a `scrubber` the caller holds, else the process's
    redactor), so that the cut cannot leave half of one for the model."""
    text = (redact or redactor())(text)
    if len(text) <= limit:
        return text
    half = limit // 2
    cut = len(text) - 2 * half
    return f"{text[:half]}\n[... {cut} characters cut ...]\n{text[-half:]}"


def fenced(text: str, info: str = "") -> str:
    """`text` as a Markdown code block that nothing inside it can close: the fence is one
    backtick longer than the longest run of backticks in `text` (and at least three)."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{info}\n{text.rstrip(chr(10))}\n{fence}"


def scrubber(
    *, root: Path | None = None, extra_secrets: Sequence[str] = ()
) -> Callable[[str], str]:
    """`scrub` with the secrets and paths looked up once, for the many texts of one conversation."""
    redact = redactor(root, extra_secrets)
    forms = (
        sorted({f for f in {str(root), str(root.resolve())} if len(f) > 1}, key=len, reverse=True)
        if root
        else []
    )
    home = str(Path.home())

    def scrub_text(text: str) -> str:
        text = redact(text)
        for form in forms:
            text = text.replace(form + os.sep, "").replace(form, ".")
        if len(home) > 1:
            text = text.replace(home, "~")
        return text

    return scrub_text


def scrub(text: str, *, root: Path | None = None, extra_secrets: Sequence[str] = ()) -> str:
    """Remove secrets, the project's absolute path and the home directory from `text`."""
    return scrubber(root=root, extra_secrets=extra_secrets)(text)


def numbered(source: str, first: int, last: int) -> str:
    lines = source.splitlines()
    width = len(str(last))
    return "\n".join(
        f"{n:>{width}} | {lines[n - 1]}" for n in range(first, min(last, len(lines)) + 1)
    )


def describe_attempt(text: str, verdict: CandidateVerdict, limit: int = 1500) -> str:
    body = head_tail(text, limit)
    return f"{fenced(body.rstrip(), 'python')}\nrejected ({verdict.outcome}): {_reason(verdict)}"


def _reason(verdict: CandidateVerdict) -> str:
    return one_line(verdict.reason)


def one_line(
    text: str, limit: int = REASON_CHARS, redact: Callable[[str], str] | None = None
) -> str:
    """Text from the program or a candidate (a reason, an exception message) that goes outside
    a code block: one line, short, and with backtick runs cut so it cannot open a block."""
    return re.sub(r"`{3,}", "``", head_tail(" ".join(text.split()), limit, redact))


def verdict_feedback(verdict: CandidateVerdict, target_start: int, target_end: int) -> str:
    parts = [f"That replacement was rejected ({verdict.outcome}): {_reason(verdict)}"]
    if verdict.output.strip():
        parts.append(f"Output:\n{fenced(head_tail(verdict.output))}")
    parts.append(
        f"Reply with a corrected ```python block for lines {target_start}-{target_end} "
        "(the complete text of the range)."
    )
    return "\n\n".join(parts)


def extraction_feedback(reason: str, target_start: int, target_end: int) -> str:
    return (
        f"Your answer could not be used: {reason}.\n\nReply with one ```python block holding the "
        f"complete new text of lines {target_start}-{target_end}, nothing else."
    )
