"""The worker's side of a failure's context: short reprs of the failing frame's locals (a
10 MB value, a `__repr__` that raises or hangs), and printed output kept head and tail.

These run the worker's modules in this process (they are standard library only); the worker as
a whole, in a real sandbox, is exercised by test_context.py and test_context_bounds.py.
"""

from __future__ import annotations

import os
import sys

from fixloop.sandbox_worker.context import OUTPUT_HEAD_BYTES, OUTPUT_TAIL_BYTES, OutputCapture
from fixloop.sandbox_worker.errors import LOCAL_REPR_CHARS, frame_locals


class _Hangs:
    def __repr__(self) -> str:
        while True:
            pass


class _Raises:
    def __repr__(self) -> str:
        raise RuntimeError("no repr for you")


def _failing(blob: object, text: object, bad: object, slow: object) -> BaseException:
    def target_function(blob: object, text: object, bad: object, slow: object) -> None:
        raise ValueError("boom")

    try:
        target_function(blob, text, bad, slow)
    except ValueError as exc:
        return exc
    raise AssertionError("did not raise")


def test_locals_are_short_reprs_and_a_hanging_repr_is_cut_off() -> None:
    exc = _failing(b"x" * 10_000_000, "y" * 10_000_000, _Raises(), _Hangs())
    record = frame_locals(exc.__traceback__, __file__)
    assert record is not None and record["function"] == "target_function"
    values = dict((name, text) for name, text in record["values"])
    assert values["blob"].startswith("b'xxx") and values["text"].startswith("'yyy")
    assert all(len(text) <= LOCAL_REPR_CHARS for text in values.values())
    assert "_Raises" in values["bad"] or "repr failed" in values["bad"]
    # The hanging __repr__ was interrupted: that local is left out, and the call came back.
    assert "slow" not in values and record["omitted"] == 1


def test_locals_of_a_frame_outside_the_target_are_not_taken() -> None:
    exc = _failing(1, 2, 3, 4)
    assert frame_locals(exc.__traceback__, "/nowhere/else.py") is None
    assert frame_locals(exc.__traceback__, None) is None


def test_output_capture_splits_a_run_by_test_and_keeps_head_and_tail_of_50mb() -> None:
    # The interpreter's own stdout (in the worker it is sys.stdout; pytest replaces that one).
    stdout = sys.__stdout__
    assert stdout is not None
    capture = OutputCapture().start()
    try:
        os.write(1, b"first test\n")
        first = capture.take()
        nothing = capture.take()
        print("HEAD-MARK", file=stdout)
        stdout.write("z" * 50_000_000 + "\n")
        stdout.flush()
        os.write(2, b"TAIL-MARK\n")
        loud = capture.take()
        os.write(1, b"after the last test\n")
    finally:
        last = capture.stop()
    assert (first, nothing, last) == ("first test\n", "", "after the last test\n")
    assert loud.startswith("HEAD-MARK\nzzz") and loud.endswith("TAIL-MARK\n")
    assert "bytes cut ..." in loud
    assert len(loud) < OUTPUT_HEAD_BYTES + OUTPUT_TAIL_BYTES + 100
    print("after the capture")  # descriptors 1 and 2 are back where they were
