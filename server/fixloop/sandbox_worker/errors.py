"""Exception records: what the worker reports about an exception the user's code raised.

Frames are (file relative to the project root, line, function), innermost last; the worker's
own frames (its modules are compiled under the `<fixloop-worker>` name, the bootstrap is
`<string>`) are left out, so a failure points at the user's code only. `frame_locals` adds what
a debugger would show at the failure: the local variables of the deepest frame inside the
target, as short reprs computed here in the sandbox, a bounded number of a bounded length, under
a time limit (a `__repr__` is user code and may hang). Standard library only.
"""

from __future__ import annotations

import os
import reprlib
import traceback
import types
from typing import Any

from .limits import SoftTimeout, arm, disarm
from .protocol import ErrorRecord, LocalsRecord

ROOT = os.getcwd()
WORKER_FILE_PREFIXES = ("<fixloop-worker>", "<string>")
_OWN_DIRECTORY = os.path.dirname(os.path.abspath(__file__))
# Locals of the failing frame: at most this many (parameters come first), each repr at most
# LOCAL_REPR_CHARS long; the host cuts further for the prompt. All reprs of one frame together
# get LOCALS_SECONDS, after which the rest are counted as left out.
MAX_LOCALS = 25
LOCAL_REPR_CHARS = 240
LOCALS_SECONDS = 1.0
# What a module-level frame holds besides data: imports, functions and classes.
_NOT_DATA = (types.ModuleType, type, types.FunctionType, types.BuiltinFunctionType)


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


class _ShortRepr(reprlib.Repr):
    """reprlib's bounded reprs, plus bytes sliced before they are shown (reprlib would build
    the whole repr of a 10 MB bytes value first)."""

    def __init__(self) -> None:
        super().__init__()
        self.maxlevel = 3
        self.maxstring = 160
        self.maxother = LOCAL_REPR_CHARS
        self.maxlong = 60

    def repr_bytes(self, value: bytes, level: int) -> str:
        shown = repr(value[: self.maxstring])
        return shown if len(value) <= self.maxstring else f"{shown}...({len(value)} bytes)"

    def repr_bytearray(self, value: bytearray, level: int) -> str:
        return f"bytearray({self.repr_bytes(bytes(value[: self.maxstring + 1]), level)})"


_SHORT = _ShortRepr()


def short_repr(value: Any) -> str:
    """A repr of at most LOCAL_REPR_CHARS characters; a failing `__repr__` is named, not raised."""
    try:
        text = _SHORT.repr(value)
    except SoftTimeout:
        raise
    except BaseException as exc:  # noqa: B036 - a user's __repr__ may raise anything
        text = f"<repr failed: {type(exc).__name__}>"
    if len(text) > LOCAL_REPR_CHARS:
        text = text[: LOCAL_REPR_CHARS - 3] + "..."
    return text


def _same_file(filename: str, target: str) -> bool:
    if filename == target:
        return True
    if filename.startswith("<"):
        return False
    return os.path.realpath(filename) == os.path.realpath(target)


def _deepest_in(tb: types.TracebackType | None, target: str) -> types.TracebackType | None:
    found = None
    while tb is not None:
        if _same_file(tb.tb_frame.f_code.co_filename, target):
            found = tb
        tb = tb.tb_next
    return found


def frame_locals(tb: types.TracebackType | None, target: str | None) -> LocalsRecord | None:
    """The locals of the deepest frame of `tb` in the file `target` (an absolute path), or None
    when the traceback never entered it (an assertion in a test about a returned value)."""
    entry = _deepest_in(tb, target) if target else None
    if entry is None:
        return None
    frame = entry.tb_frame
    at_module_level = frame.f_code.co_name == "<module>"
    names = []
    for name, value in list(frame.f_locals.items()):
        if name.startswith("__") and name.endswith("__"):
            continue
        if isinstance(value, types.ModuleType) or (
            at_module_level and isinstance(value, _NOT_DATA)
        ):
            continue
        names.append((name, value))
    values: list[list[str]] = []
    arm(LOCALS_SECONDS)
    try:
        for name, value in names[:MAX_LOCALS]:
            values.append([name, short_repr(value)])
    except SoftTimeout:
        pass  # the rest count as left out
    finally:
        disarm()
    return {
        "file": relative(frame.f_code.co_filename),
        "line": entry.tb_lineno,
        "function": frame.f_code.co_name,
        "values": values,
        "omitted": len(names) - len(values),
    }
