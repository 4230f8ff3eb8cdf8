"""Traceback parsing: chained exceptions, SyntaxError, paths outside the root, no traceback."""

from __future__ import annotations

from fixloop.sandbox.tracebacks import parse_traceback

CHAINED = """\
Traceback (most recent call last):
  File "/p/a.py", line 2, in <module>
    int("x")
ValueError: invalid literal for int() with base 10: 'x'

During handling of the above exception, another exception occurred:

Traceback (most recent call last):
  File "/p/a.py", line 4, in <module>
    run()
  File "/p/lib/b.py", line 9, in run
    helper()
  File "/usr/lib/python3.11/json/__init__.py", line 346, in loads
    return _default_decoder.decode(s)
KeyError: 'missing: thing'
"""


def test_last_exception_of_a_chain_and_innermost_project_frame() -> None:
    error = parse_traceback(CHAINED, roots=["/p"])
    assert error is not None
    assert (error.type, error.message) == ("KeyError", "'missing: thing'")
    assert (error.file, error.line) == ("lib/b.py", 9)
    assert [f.file for f in error.frames] == [
        "a.py",
        "lib/b.py",
        "/usr/lib/python3.11/json/__init__.py",
    ]


def test_syntax_error_without_traceback_header() -> None:
    stderr = '  File "/p/x.py", line 3\n    def f(:\n          ^\nSyntaxError: invalid syntax\n'
    error = parse_traceback(stderr, roots=["/p"])
    assert error is not None
    assert (error.type, error.file, error.line, error.frames) == ("SyntaxError", "x.py", 3, ())


def test_dotted_exception_type_and_no_message() -> None:
    stderr = (
        'Traceback (most recent call last):\n  File "/p/m.py", line 1, in <module>\n'
        "    raise pkg.Custom\npkg.errors.Custom\n"
    )
    error = parse_traceback(stderr, roots=["/p"])
    assert error is not None and (error.type, error.message) == ("pkg.errors.Custom", "")


def test_plain_stderr_is_not_an_error() -> None:
    assert parse_traceback("warning: something odd\n", roots=["/p"]) is None
    assert parse_traceback("", roots=["/p"]) is None
