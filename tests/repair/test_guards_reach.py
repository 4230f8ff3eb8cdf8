"""The guards follow names, not spellings: every way to end the process, swallow the failure or
reach the test harness is refused, aliases and indirections included, and honest edits pass."""

from __future__ import annotations

import pytest
from fixloop.guards import GuardSet
from fixloop.spans import LineRange

ORIGINAL = """import json


def ratio(a, b):
    total = a + b
    return a / total


def other():
    return 1
"""
FAILING = "    return a / total\n"


def screen(candidate: str, *, header: bool = True, failing: str = "ZeroDivisionError") -> str:
    guards = GuardSet(
        ORIGINAL,
        LineRange(4, 6),
        failing_lines={6},
        allow_header_imports=header,
        failing_error=failing,
        test_files=("tests/test_ratio.py",),
        checks_are_spec=False,
    )
    screening = guards.screen(candidate)
    return screening.reason if screening.refused else ""


def body(lines: str) -> str:
    """ORIGINAL with `lines` (indented, newline-terminated) before the failing statement."""
    return ORIGINAL.replace(FAILING, lines + FAILING)


def header(imports: str, lines: str) -> str:
    return imports + body(lines)


@pytest.mark.parametrize(
    ("candidate", "named"),
    [
        (body("    raise SystemExit(0)\n"), "SystemExit"),
        (body("    exit(0)\n"), "exit"),
        (body("    quit()\n"), "quit"),
        (header("import sys as s\n", "    s.exit(0)\n"), "sys.exit"),
        (header("from sys import exit as leave\n", "    leave(0)\n"), "sys.exit"),
        (header("import sys\n", "    getattr(sys, 'ex' + 'it')(0)\n"), "sys.exit"),
        (
            header("import sys\n", "    getattr(sys, ''.join(['e', 'x', 'i', 't']))(0)\n"),
            "sys.exit",
        ),
        (header("import sys\n", "    getattr(sys, 'tixe'[::-1])(0)\n"), "sys.exit"),
        (body("    __import__('os')._exit(0)\n"), "os._exit"),
        (header("import os\n", "    os.sys.exit(0)\n"), "sys.exit"),
        (header("import typing\n", "    typing.sys.exit(0)\n"), "sys.exit"),
        (header("import builtins\n", "    builtins.exit(0)\n"), "builtins"),
        (body("    __builtins__['exit'](0)\n"), "__builtins__"),
        (header("import os\n", "    os.kill(os.getpid(), 9)\n"), "os.kill"),
        (header("import os\n", "    os.abort()\n"), "os.abort"),
        (header("import os\n", "    os.execv('/bin/true', ['true'])\n"), "os.execv"),
        (header("import signal\n", "    signal.raise_signal(signal.SIGKILL)\n"), "signal"),
        (header("import os as o\n", "    leave = o._exit\n    leave(0)\n"), "os._exit"),
        (header("import sys\n", "    name = 'exit'\n    getattr(sys, name)(0)\n"), "computed"),
        (body("    exec('import sys; sys.exit(0)')\n"), "exec"),
        (body("    eval('1')\n"), "eval"),
        (header("import subprocess\n", "    subprocess.run(['true'])\n"), "subprocess"),
        (header("import ctypes\n", "    ctypes.CDLL(None).exit(0)\n"), "ctypes"),
    ],
)
def test_every_spelling_of_leaving_the_process_is_refused(candidate: str, named: str) -> None:
    reason = screen(candidate)
    assert reason.startswith("refused") and named in reason, reason


@pytest.mark.parametrize(
    ("candidate", "named"),
    [
        (header("import sys\n", "    sys.modules['x'] = None\n"), "sys.modules"),
        (header("import sys as s\n", "    s.modules.pop('x', None)\n"), "sys.modules"),
        (header("import sys\n", "    vars(sys)['modules'].clear()\n"), "sys.__dict__"),
        (header("import sys\n", "    sys.__dict__['modules'].clear()\n"), "sys.__dict__"),
        (header("import sys\n", "    sys.meta_path.insert(0, None)\n"), "sys.meta_path"),
        (header("import sys\n", "    sys.path_hooks.clear()\n"), "sys.path_hooks"),
        (header("import builtins\n", "    builtins.len = lambda x: 0\n"), "builtins"),
        (body("    __builtins__.len = lambda x: 0\n"), "__builtins__"),
        (header("import atexit\n", "    atexit.register(print)\n"), "atexit"),
        (header("import importlib\n", "    importlib.reload(json)\n"), "importlib"),
        (body("    import test_ratio\n"), "test module test_ratio"),
        (body("    open('tests/test_' + 'ratio.py', 'w').write('')\n"), "test_ratio"),
        (body("    open(f'tests/test_ratio.py', 'w')\n"), "test_ratio"),
        (body("    open('conftest.py', 'w')\n"), "conftest"),
        (header("import sys\n", "    sys._getframe(1).f_locals['x'] = 1\n"), "_getframe"),
        (
            body("    try:\n        1 / 0\n    except Exception as e:\n        e.__traceback__\n"),
            "",
        ),
        (header("import inspect\n", "    inspect.stack()\n"), "inspect"),
        (body("    import pytest\n"), "pytest"),
        (body("    from unittest import mock\n"), "unittest"),
        (body("    from dirty_equals import IsAnything\n"), "dirty_equals"),
        (body("    ().__class__.__base__.__subclasses__()\n"), "__subclasses__"),
        (header("import gc\n", "    gc.get_objects()\n"), "gc"),
        (header("import pickle\n", "    pickle.loads(b'')\n"), "pickle"),
        (header("import types\n", "    types.ModuleType('test_ratio')\n"), "types.ModuleType"),
        (header("import threading\n", "    threading._sys.modules.clear()\n"), "sys.modules"),
        (body("    globals()['__builtins__']['__import__']('sys')\n"), "'__builtins__'"),
    ],
)
def test_reaching_the_interpreter_or_the_tests_is_refused(candidate: str, named: str) -> None:
    reason = screen(candidate)
    assert reason.startswith("refused") and named in reason, reason


SWALLOWED = ORIGINAL.replace(
    FAILING, "    try:\n        return a / total\n    except {types}:\n        return 0.0\n"
)


@pytest.mark.parametrize(
    "types",
    [
        "AssertionError",
        "ZeroDivisionError",
        "ArithmeticError",  # a base class of the failing exception
        "(ValueError, ZeroDivisionError)",
        "(ValueError, AssertionError)",
        "Exception",
        "BaseException",
    ],
)
def test_handlers_that_swallow_the_failure_or_assertions_are_refused(types: str) -> None:
    reason = screen(SWALLOWED.format(types=types))
    assert "refused" in reason and "swallow" in reason or "broad except" in reason, reason


def test_a_bare_except_and_an_unknown_type_are_refused() -> None:
    bare = ORIGINAL.replace(
        FAILING, "    try:\n        return a / total\n    except:\n        return 0.0\n"
    )
    assert "broad except" in screen(bare)
    unknown = ORIGINAL.replace(
        FAILING,
        "    errors = pick()\n    try:\n        return a / total\n"
        "    except errors:\n        return 0.0\n",
    )
    assert "swallows" in screen(unknown)


def test_an_aliased_exception_tuple_is_followed() -> None:
    candidate = ORIGINAL.replace(
        FAILING,
        "    errors = (ValueError, ZeroDivisionError)\n    try:\n        return a / total\n"
        "    except errors:\n        return 0.0\n",
    )
    assert "swallows ZeroDivisionError" in screen(candidate)


def test_a_handler_for_another_exception_type_may_stay() -> None:
    candidate = ORIGINAL.replace(
        FAILING,
        "    try:\n        data = json.loads('1')\n    except ValueError:\n        data = 0\n"
        "    return a / total if total else 0.0 + data\n",
    )
    assert screen(candidate) == ""


def test_a_handler_that_reraises_does_not_swallow() -> None:
    candidate = ORIGINAL.replace(
        FAILING,
        "    try:\n        return a / total\n    except ZeroDivisionError as error:\n"
        "        raise ValueError('both zero') from error\n",
    )
    assert screen(candidate) == ""


@pytest.mark.parametrize(
    "candidate",
    [
        "import contextlib\n"
        + ORIGINAL.replace(
            FAILING,
            "    with contextlib.suppress(ZeroDivisionError):\n        return a / total\n",
        ),
        "from contextlib import suppress as quietly\n"
        + ORIGINAL.replace(
            FAILING, "    with quietly(AssertionError):\n        return a / total\n"
        ),
        "import contextlib as c\n"
        + ORIGINAL.replace(FAILING, "    with c.suppress(Exception):\n        return a / total\n"),
    ],
)
def test_suppress_in_any_spelling_is_refused(candidate: str) -> None:
    assert "suppress() that swallows" in screen(candidate)


@pytest.mark.parametrize(
    ("candidate", "named"),
    [
        (
            ORIGINAL.replace(
                FAILING,
                "    class Anything(float):\n        def __eq__(self, other):\n"
                "            return True\n    return Anything(0)\n",
            ),
            "__eq__",
        ),
        (
            ORIGINAL.replace(
                FAILING,
                "    class Anything:\n        __eq__ = lambda self, other: True\n"
                "    return Anything()\n",
            ),
            "__eq__",
        ),
        (
            ORIGINAL.replace(
                FAILING,
                "    class Quiet:\n        def __enter__(self):\n            return self\n"
                "        def __exit__(self, *exc):\n            return True\n"
                "    with Quiet():\n        return a / total\n",
            ),
            "__exit__",
        ),
        (
            ORIGINAL.replace(
                FAILING, "    try:\n        return a / total\n    finally:\n        return 0.0\n"
            ),
            "finally",
        ),
    ],
)
def test_objects_and_blocks_that_swallow_or_fake_equality_are_refused(
    candidate: str, named: str
) -> None:
    assert named in screen(candidate)


def test_what_the_original_already_did_is_not_held_against_a_fix() -> None:
    original = "import sys\n\n\ndef main(argv):\n    n = int(argv[1])\n    sys.exit(10 / n)\n"
    guards = GuardSet(
        original,
        LineRange(4, 6),
        failing_lines={6},
        allow_header_imports=False,
        failing_error="ZeroDivisionError",
    )
    fixed = original.replace("10 / n", "10 / n if n else 0")
    assert guards.screen(fixed).outcome == "run"


def test_methods_of_builtin_types_are_ordinary_code() -> None:
    candidate = ORIGINAL.replace(
        FAILING,
        "    keys = list(dict.fromkeys([a, b]))\n    key = float.__hash__(1.0) + str.count('a', 'a')\n"
        "    return a / total if total and keys and key else 0.0\n",
    )
    assert screen(candidate) == ""


def test_names_the_module_binds_itself_are_not_builtins() -> None:
    candidate = ORIGINAL.replace(
        FAILING, "    exit = total == 0\n    return 0.0 if exit else a / total\n"
    )
    assert screen(candidate) == ""
