"""Text shown to a person in a terminal: control characters escaped, never interpreted.

Output of sandboxed programs, model-written candidates and diffs can hold terminal escape
sequences (which can move the cursor and hide lines from the reviewer), other control
characters, and Unicode bidirectional controls (which reorder what a line seems to say). Human
output shows each of them as a visible escape such as `\\x1b` or `\\u202e`. Tab and newline stay,
and so does a carriage return that ends a CRLF line. `--json` output never goes through here: it
keeps the exact text. Progress and summary lines also pass the redactor (`for_a_person`).
"""

from __future__ import annotations

import re

# C0 controls but tab and newline, DEL, C1 controls, a CR not followed by LF, and the bidi
# embedding, override and isolate controls.
_UNSAFE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]|\r(?!\n)"
)
# Plain program output: CR escaped too, since a bare CR rewrites the line on a terminal.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape_control(text: str) -> str:
    """Program output for a terminal: every control character but tab and newline escaped."""
    return _CONTROL.sub(_visible, text)


def for_a_person(text: str) -> str:
    """A progress or summary line: secrets redacted (`fixloop.redact`; a line may quote what a
    program printed) and control characters escaped."""
    from fixloop.redact import redactor

    return escape_for_terminal(redactor()(text))


def escape_for_terminal(text: str) -> str:
    """A diff or a summary for a terminal: like `escape_control`, but CRLF line ends stay."""
    return _UNSAFE.sub(_visible, text)
