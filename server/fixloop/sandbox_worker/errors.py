"""Exception records: what the worker reports about an exception the user's code raised.

Frames are (file relative to the project root, line, function), innermost last; the worker's
own frames (its modules are compiled under the `<fixloop-worker>` name, the bootstrap is
`<string>`) are left out, so a failure points at the user's code only. Standard library only.
"""

from __future__ import annotations

import os
import traceback

from .protocol import ErrorRecord

ROOT = os.getcwd()
WORKER_FILE_PREFIXES = ("<fixloop-worker>", "<string>")
_OWN_DIRECTORY = os.path.dirname(os.path.abspath(__file__))


def relative(path: str) -> str:
    """`path` relative to the project root when it lies inside it, else unchanged."""
    try:
        rel = os.path.relpath(path, ROOT)
    except ValueError:
        return path
    return path if rel.startswith("..") else rel


def _is_worker_frame(filename: str) -> bool:
    return filename.startswith(WORKER_FILE_PREFIXES) or (
        os.path.dirname(os.path.abspath(filename)) == _OWN_DIRECTORY
    )


def error_info(exc: BaseException) -> ErrorRecord:
    frames: list[list[str | int]] = []
    for entry in traceback.extract_tb(exc.__traceback__):
        if _is_worker_frame(entry.filename):
            continue
        frames.append([relative(entry.filename), entry.lineno or 0, entry.name])
    if isinstance(exc, SyntaxError) and exc.filename:
        frames.append([relative(exc.filename), exc.lineno or 0, "<module>"])
    message = str(exc)
    if isinstance(exc, SyntaxError):
        message = exc.msg or message
    return {"type": type(exc).__name__, "message": message[:2000], "frames": frames[-30:]}
