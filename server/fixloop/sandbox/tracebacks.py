"""Turn a Python traceback printed on stderr into an `ErrorInfo`.

The sandboxed program reports its uncaught exception only as text, so this module reads the last
traceback block in stderr (chained exceptions print several; the last is the one that ended the
run), including the frame-less form CPython uses for `SyntaxError`. Paths are translated from the
location the program saw (a scratch copy, a container path) back to paths relative to the user's
project root, so callers can point at the user's own files.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import PurePosixPath

from fixloop.sandbox.base import ErrorInfo, Frame

_HEADER = "Traceback (most recent call last):"
_FRAME = re.compile(r'^\s*File "(?P<file>[^"]+)", line (?P<line>\d+)(?:, in (?P<func>.+))?\s*$')
# An exception line: a dotted class name, optionally followed by ": message".
_EXCEPTION = re.compile(r"^(?P<type>[A-Za-z_][\w.]*)(?::\s?(?P<message>.*))?$")
# Exception-group tracebacks indent their contents behind "| "; strip that so frames still parse.
_GROUP_PREFIX = re.compile(r"^\s*[|+](?:-+[^|]*-+\+)?\s?")


def relativize(path: str, roots: Sequence[str]) -> str:
    """`path` relative to the first of `roots` that contains it, else unchanged."""
    pure = PurePosixPath(path)
    for root in roots:
        if not root:
            continue
        try:
            return pure.relative_to(PurePosixPath(root)).as_posix()
        except ValueError:
            continue
    return path


def parse_traceback(stderr: str, roots: Sequence[str] = ()) -> ErrorInfo | None:
    """The final uncaught exception in `stderr`, or None when there is none.

    `roots` are the directories the program saw as the project root (first match wins);
    paths inside them become relative. `file`/`line` name the innermost frame inside the
    project (where a fix most likely belongs), falling back to the innermost frame overall.
    """
    lines = [
        _GROUP_PREFIX.sub("", ln) if ln.lstrip().startswith(("|", "+")) else ln
        for ln in stderr.splitlines()
    ]
    start = _last_block_start(lines)
    if start is None:
        return None
    frames: list[Frame] = []
    exception: tuple[str, str] | None = None
    syntax_location: tuple[str, int] | None = None
    for raw in lines[start:]:
        frame = _FRAME.match(raw)
        if frame:
            frame_file = relativize(frame.group("file"), roots)
            line_no = int(frame.group("line"))
            if frame.group("func") is None:
                # SyntaxError and friends point at the offending line without a function name.
                syntax_location = (frame_file, line_no)
            else:
                frames.append(Frame(file=frame_file, line=line_no, function=frame.group("func")))
            exception = None
            continue
        if raw.startswith((" ", "\t")) or not raw.strip():
            continue  # source excerpt, caret line or blank
        found = _EXCEPTION.match(raw.strip())
        if found and exception is None:
            exception = (found.group("type"), found.group("message") or "")
    if exception is None:
        return None
    exc_type, message = exception
    file: str | None = None
    line: int | None = None
    if syntax_location is not None:
        file, line = syntax_location
    elif frames:
        inside = [f for f in frames if not f.file.startswith("/") and not f.file.startswith("<")]
        chosen = inside[-1] if inside else frames[-1]
        file, line = chosen.file, chosen.line
    return ErrorInfo(type=exc_type, message=message, file=file, line=line, frames=tuple(frames))


def _last_block_start(lines: Sequence[str]) -> int | None:
    """Index of the last traceback header, or of a bare `File ...` block (SyntaxError at compile)."""
    for index in range(len(lines) - 1, -1, -1):
        if lines[index].strip() == _HEADER:
            return index
    for index, raw in enumerate(lines):
        if _FRAME.match(raw):
            return index
    return None
