"""Turn a model's free-text answer into code, or into a reason why it is not usable.

Models answer in many shapes: one fenced block, several, prose around it, a diff, a different
language, an ellipsis standing for "the rest is unchanged", or a reply cut off by the token limit.
`extract_code` finds the Python code and rejects everything else with a one-line reason that goes
back to the model. Code holding raw control characters (terminal escape sequences that can hide
lines from a reviewer, a lone carriage return) or Unicode bidirectional controls is refused too,
unless the original text of the range already had that character; a CRLF answer counts as LF,
since the splice restores the file's own line endings. `fit_to_range` then shapes a replacement for a target line range: it strips a
repeated file prefix/suffix when the model returned the whole file and restores the range's
indentation when the model dedented a method. Nothing here runs code; the loop verifies.
"""

from __future__ import annotations

import ast
import re
import textwrap
from dataclasses import dataclass, field

from fixloop import pyast

PYTHON_TAGS = {"python", "py", "python3", "py3", "pycon", ""}
SHELL_TAGS = {"sh", "bash", "shell", "console", "zsh"}
DIFF_TAGS = {"diff", "patch", "udiff"}

_FENCE = re.compile(
    r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<tag>[\w+.-]*)[^\n]*$", re.M
)
_PLACEHOLDER = re.compile(
    r"#\s*(\.\.\.|…|(the\s+)?rest\b|remaining\b|(existing|unchanged|same|other|previous)\s+code\b"
    r"|code\s+(unchanged|omitted|continues)\b|omitted\b|unchanged\b|as\s+before\b|etc\b)",
    re.I,
)
_BARE_ELLIPSIS_LINE = re.compile(r"^\s*(\.\.\.|…)\s*$", re.M)
# Everything but tab and newline below 0x20, DEL, the C1 range, and the bidi controls.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


@dataclass(frozen=True)
class CodeBlock:
    language: str  # lower-case fence tag, "" when untagged
    code: str


@dataclass(frozen=True)
class Extraction:
    """The usable code of an answer (`code`), or `reason` why there is none."""

    code: str | None
    reason: str = ""
    shell: tuple[str, ...] = field(default=())  # shell blocks, for task mode to allow or refuse
    filename: str | None = None  # a "# filename: x.py" first line, validated by the caller

    @property
    def ok(self) -> bool:
        return self.code is not None


def fenced_blocks(text: str) -> tuple[list[CodeBlock], bool]:
    """All fenced blocks in order, and whether a fence was left open (a cut-off answer)."""
    blocks: list[CodeBlock] = []
    position = 0
    while True:
        opening = _FENCE.search(text, position)
        if opening is None:
            return blocks, False
        fence = opening.group("fence")
        closing = re.compile(rf"^[ \t]*{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$", re.M)
        end = closing.search(text, opening.end())
        if end is None:
            return blocks, True
        body = text[opening.end() + 1 : end.start()]
        blocks.append(CodeBlock(opening.group("tag").lower(), textwrap.dedent(body)))
        position = end.end()


def looks_like_diff(code: str) -> bool:
    lines = [line for line in code.splitlines() if line.strip()]
    if not lines:
        return False
    if any(line.startswith(("--- ", "+++ ", "@@ ")) for line in lines[:6]):
        return True
    marked = sum(
        1 for line in lines if line[:1] in "+-" and not line.startswith(("--", "+=", "-="))
    )
    return marked >= max(2, len(lines) * 0.6)


def has_placeholder(code: str, original: str = "") -> bool:
    """True for "# ... rest unchanged"-style stand-ins that the original did not already have."""
    for line in code.splitlines():
        comment = line.split("#", 1)[1] if "#" in line else ""
        if comment and _PLACEHOLDER.search("#" + comment) and line.strip() not in original:
            return True
    ellipses = len(_BARE_ELLIPSIS_LINE.findall(code))
    return ellipses > len(_BARE_ELLIPSIS_LINE.findall(original))


def control_character(code: str, original: str = "") -> str | None:
    """Why `code` is refused for a raw control character `original` does not have, or None."""
    allowed = set(_CONTROL.findall(original))
    for number, line in enumerate(code.split("\n"), start=1):
        for match in _CONTROL.finditer(line):
            if match.group() not in allowed:
                return (
                    f"line {number} of the code holds the raw control character "
                    f"U+{ord(match.group()):04X}; write it as an escape sequence in a string "
                    "literal (such as '\\x1b'), never as the character itself"
                )
    return None


def _compiles(code: str) -> bool:
    try:
        pyast.parse(code)
    except (SyntaxError, ValueError):
        return False
    return True


def _is_statement_code(text: str) -> bool:
    """Unfenced text counts as code only if it parses and is not a lone expression (prose)."""
    try:
        tree = pyast.parse(text)
    except (SyntaxError, ValueError):
        return False
    return any(not isinstance(node, ast.Expr) for node in tree.body)


def _filename_hint(code: str) -> str | None:
    first = code.lstrip("\n").split("\n", 1)[0].strip()
    match = re.match(r"#\s*filename:\s*(.+)$", first, re.I)
    return match.group(1).strip() if match else None


def extract_code(
    answer: str,
    *,
    finish_reason: str = "stop",
    max_chars: int = 40_000,
    original: str = "",
) -> Extraction:
    """The Python code of `answer`, or why there is none usable."""
    if finish_reason == "length":
        return Extraction(
            None, "the answer was cut off by the token limit; reply with a shorter, complete block"
        )
    if len(answer) > max_chars:
        return Extraction(
            None, f"the answer is too large ({len(answer)} characters, limit {max_chars})"
        )
    if not answer.strip():
        return Extraction(None, "the answer was empty; reply with one ```python block")
    answer = answer.replace("\r\n", "\n")
    blocks, open_fence = fenced_blocks(answer)
    if open_fence and not blocks:
        return Extraction(
            None, "the code block is not closed (cut-off answer); reply with a complete block"
        )
    shell = tuple(b.code for b in blocks if b.language in SHELL_TAGS)
    if not blocks:
        if _is_statement_code(answer) and not looks_like_diff(answer):
            candidates = [CodeBlock("", textwrap.dedent(answer.strip("\n")))]
        else:
            return Extraction(
                None, "no code block in the answer (prose only); reply with one ```python block"
            )
    else:
        candidates = [b for b in blocks if b.language in PYTHON_TAGS]
    if not candidates:
        languages = sorted({b.language for b in blocks})
        if set(languages) & DIFF_TAGS:
            return Extraction(
                None, "the answer is a diff; reply with the replacement code itself", shell
            )
        if shell and set(languages) <= SHELL_TAGS:
            return Extraction(
                None, "the answer has only shell blocks; a ```python block is needed", shell
            )
        return Extraction(
            None, f"wrong language ({', '.join(languages)}); reply with a ```python block", shell
        )
    usable = [b for b in candidates if not looks_like_diff(b.code)]
    if not usable:
        return Extraction(
            None, "the answer is a diff; reply with the replacement code itself", shell
        )
    # Prefer blocks that parse; among them the longest (usually the full replacement, not a snippet).
    parsing = [b for b in usable if _compiles(b.code)] or usable
    chosen = max(parsing, key=lambda b: len(b.code))
    code = chosen.code.rstrip() + "\n"
    refused = control_character(code, original)
    if refused:
        return Extraction(None, refused, shell)
    if has_placeholder(code, original):
        return Extraction(
            None,
            "the code contains a placeholder such as '# ... rest unchanged'; write out every line",
            shell,
        )
    return Extraction(code, "", shell, _filename_hint(code))


def _indent_of(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line[: len(line) - len(line.lstrip())]
    return ""


def fit_to_range(code: str, source: str, start: int, end: int) -> str:
    """Shape `code` as the replacement of lines start..end (1-based, inclusive) of `source`."""
    lines = source.splitlines(keepends=True)
    before, target, after = lines[: start - 1], lines[start - 1 : end], lines[end:]
    new = code.splitlines(keepends=True)
    # A whole-file answer: drop the unchanged prefix and suffix it repeats.
    if before and len(new) > len(target):
        head = [line.rstrip() for line in before]
        if [line.rstrip() for line in new[: len(head)]] == head:
            new = new[len(head) :]
    if after and len(new) > len(target):
        tail = [line.rstrip() for line in after]
        tail = tail[:]  # copy: compared against the end of the answer
        while tail and not tail[-1]:
            tail.pop()
        if tail and [line.rstrip() for line in new[-len(tail) :]] == tail:
            new = new[: -len(tail)]
    text = "".join(new)
    wanted, got = _indent_of("".join(target)), _indent_of(text)
    if len(wanted) > len(got) and wanted.startswith(got):
        text = textwrap.indent(text, wanted[len(got) :])
    return text if text.endswith("\n") else text + "\n"


def _top_level_names(tree: ast.Module) -> dict[str, int]:
    """Top-level function and class names with their first line (1-based, decorators included)."""
    names = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            names[node.name] = first
    return names


def redefined_outside(code: str, source: str, start: int, end: int) -> list[str]:
    """Top-level names the replacement defines that the file defines outside lines start..end.

    Such an answer edits code outside the target range (usually a whole-file answer with other
    changes): spliced into the range it would leave two definitions, so it is refused.
    """
    try:
        answer = pyast.parse(textwrap.dedent(code))
        original = pyast.parse(source)
    except (SyntaxError, ValueError):
        return []
    outside = {
        name for name, line in _top_level_names(original).items() if not start <= line <= end
    }
    return sorted(outside & set(_top_level_names(answer)))
