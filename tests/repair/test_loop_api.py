"""The Python API other helpers use: run_fix (with cancellation), run_tests, discover_tests_for."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from fixloop.evidence import summary_line
from fixloop.fixes import FixRequest, FixUsageError
from fixloop.loop import run_fix
from fixloop.oracle import discover_tests_for
from fixloop.settings import Settings
from fixloop.test_runs import run_tests
from proctree import alive, descendants, poll

from .conftest import SANDBOX


def write(root: Path, name: str, text: str) -> None:
    (root / name).parent.mkdir(parents=True, exist_ok=True)
    (root / name).write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")


def running_below() -> set[int]:
    """Live (non-zombie) processes descended from this test process (never all of /proc)."""
    return {proc.pid for proc in alive(descendants(os.getpid()))}


async def test_run_fix_on_unsaved_source_reports_proof(tmp_path: Path) -> None:
    write(tmp_path, "shapes.py", "def area(w, h):\n    return w * h\n")
    write(
        tmp_path,
        "test_shapes.py",
        # Two products: with one, `w + h + 1` passes too, and the fix is only "uncertain".
        "from shapes import area\n\ndef test_area():\n    assert area(2, 3) == 6\n"
        "    assert area(4, 5) == 20\n",
    )
    buffer = "def area(w, h):\n    return w + h\n"  # the editor's unsaved text
    messages: list[str] = []
    result = await run_fix(
        FixRequest(
            path=Path("shapes.py"),
            root=tmp_path,
            source=buffer,
            tests=("test_shapes.py",),
            settings=Settings(sandbox=SANDBOX, engine="offline"),
        ),
        progress=messages.append,
    )
    assert result.verified and result.fixed == "def area(w, h):\n    return w * h\n"
    assert result.proof is not None and result.proof.short() == "1 failing -> 1/1 tests pass"
    assert "verified fix" in summary_line(result)
    assert (tmp_path / "shapes.py").read_text() == "def area(w, h):\n    return w * h\n"


async def test_cancel_kills_sandbox_processes(tmp_path: Path) -> None:
    write(
        tmp_path,
        "spin.py",
        """
        def spin(n):
            while n != 0:
                n = n + 0
            return n
        """,
    )
    # No edit of spin returns "three", so the search is still running when it is cancelled
    # (each hanging candidate costs its short cut, so a fixable spin could finish first).
    write(
        tmp_path,
        "test_spin.py",
        "from spin import spin\n\ndef test_spin():\n    assert spin(3) == 'three'\n",
    )
    before = running_below()
    task = asyncio.create_task(
        run_fix(
            FixRequest(
                path=Path("spin.py"),
                root=tmp_path,
                tests=("test_spin.py",),
                settings=Settings(sandbox=SANDBOX, timeout=30.0, budget=120.0),
            )
        )
    )
    # Cancelled once the loop runs code in its sandbox, however long the machine takes to get there.
    assert await poll(lambda: bool(running_below() - before) or task.done(), 120)
    assert not task.done()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await poll(lambda: running_below() <= before, 60)
    assert running_below() <= before


def test_discover_tests_for_finds_importers(tmp_path: Path) -> None:
    write(tmp_path, "pkg/money.py", "def cents(x):\n    return int(x * 100)\n")
    write(tmp_path, "tests/test_money.py", "from pkg.money import cents\n")
    write(tmp_path, "tests/test_other.py", "import json\n")
    write(tmp_path, "test_direct.py", "import money\n")
    assert discover_tests_for("pkg/money.py", tmp_path) == ["test_direct.py", "tests/test_money.py"]


async def test_run_tests_reports_failures_with_lines(tmp_path: Path) -> None:
    write(tmp_path, "calc.py", "def add(a, b):\n    return a - b\n")
    write(
        tmp_path,
        "test_calc.py",
        """
        from calc import add

        def test_zero():
            assert add(0, 0) == 0

        def test_add():
            assert add(2, 2) == 4
        """,
    )
    report = await run_tests(tmp_path, ["test_calc.py"], settings=Settings(sandbox=SANDBOX))
    assert (report.passed, report.failed) == (1, 1)
    failure = report.failures[0]
    assert failure.nodeid == "test_calc.py::test_add" and failure.file == "test_calc.py"
    assert failure.line == 7 and "assert" in failure.message
    fixed = await run_tests(
        tmp_path,
        ["test_calc.py"],
        settings=Settings(sandbox=SANDBOX),
        overlay={"calc.py": "def add(a, b):\n    return a + b\n"},
    )
    assert (fixed.passed, fixed.failed) == (2, 0)


async def test_script_that_runs_a_second_before_failing_is_still_fixable(tmp_path: Path) -> None:
    # Candidate time limits are sized from the original run; the script oracle once reported no
    # duration, so every candidate of a one-second script "timed out".
    write(
        tmp_path,
        "slow.py",
        """
        import time


        def mean(xs):
            return sum(xs) / len(xs)


        time.sleep(1)
        print(mean([]))
    """,
    )
    result = await run_fix(
        FixRequest(
            path=Path("slow.py"),
            root=tmp_path,
            settings=Settings(sandbox=SANDBOX, engine="offline"),
        )
    )
    assert result.verified, result.reason
    assert result.proof is not None and result.proof.short() == "ZeroDivisionError -> exit 0"
    assert result.fixed is not None and "return sum(xs) / len(xs)" in result.fixed


async def test_discovered_tests_are_the_oracle_and_running_the_file_the_fallback(
    tmp_path: Path,
) -> None:
    # Running the file only proves "no exception"; the module's own tests also reject a fix that
    # merely silences the crash, so editors let the loop use them when they exist.
    write(
        tmp_path,
        "avg.py",
        """
        def mean(xs):
            return sum(xs) / len(xs) + 1


        print(mean([2, 4]))
    """,
    )
    write(
        tmp_path,
        "test_avg.py",
        """
        from avg import mean


        def test_mean():
            assert mean([2, 4]) == 3
    """,
    )
    settings = Settings(sandbox=SANDBOX, engine="offline")
    result = await run_fix(
        FixRequest(path=Path("avg.py"), root=tmp_path, settings=settings, discover_tests=True)
    )
    assert result.verified, result.reason
    assert result.proof is not None and result.proof.command == "pytest test_avg.py"
    assert result.fixed is not None and "+ 1" not in result.fixed
    # Without discovery the same file "runs fine": there is nothing to fix.
    plain = await run_fix(FixRequest(path=Path("avg.py"), root=tmp_path, settings=settings))
    assert plain.nothing_to_fix
    # Tests that pass hand over to running the file, which crashes here.
    write(
        tmp_path,
        "avg.py",
        """
        def mean(xs):
            return sum(xs) / len(xs)


        if __name__ == "__main__":
            print(mean([]))
    """,
    )
    fallback = await run_fix(
        FixRequest(path=Path("avg.py"), root=tmp_path, settings=settings, discover_tests=True)
    )
    assert fallback.verified, fallback.reason
    assert fallback.proof is not None and fallback.proof.short() == "ZeroDivisionError -> exit 0"


async def test_tests_need_pytest_in_the_users_interpreter(tmp_path: Path) -> None:
    # An interpreter without pytest used to make every test look "failing"; now an explicit
    # tests oracle is a clear error, and a discovered one gives way to running the file.
    bare = tmp_path / "bare-venv"
    await asyncio.to_thread(
        subprocess.run, [sys.executable, "-m", "venv", "--without-pip", str(bare)], check=True
    )
    python = str(bare / "bin" / "python")
    project = tmp_path / "project"
    write(
        project,
        "avg.py",
        """
        def mean(xs):
            return sum(xs) / len(xs)


        if __name__ == "__main__":
            print(mean([]))
    """,
    )
    write(
        project,
        "test_avg.py",
        """
        from avg import mean


        def test_mean():
            assert mean([]) == 0
    """,
    )
    settings = Settings(sandbox=SANDBOX, engine="offline", python=python)
    with pytest.raises(FixUsageError, match="pytest is not installed"):
        await run_fix(
            FixRequest(path=Path("avg.py"), root=project, settings=settings, tests=("test_avg.py",))
        )
    messages: list[str] = []
    result = await run_fix(
        FixRequest(path=Path("avg.py"), root=project, settings=settings, discover_tests=True),
        progress=messages.append,
    )
    assert result.verified, result.reason
    assert result.proof is not None and result.proof.short() == "ZeroDivisionError -> exit 0"
    assert any("running the file instead" in message for message in messages)
