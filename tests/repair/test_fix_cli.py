"""`fixloop fix` end to end: the real console script, a real sandbox, real pytest.

Each test checks the exit code, what went to stdout and stderr, and that the user's workspace is
byte-for-byte unchanged unless `--write` was given.
"""

from __future__ import annotations

import os
import resource
import shutil
import textwrap
from pathlib import Path

import pytest

from .conftest import REPO, snapshot


def _children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def write(root: Path, name: str, text: str) -> Path:
    path = root / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def test_readme_example_prints_a_verified_diff_and_touches_nothing(fixloop_fix, state_dir) -> None:
    before = snapshot(REPO / "examples" / "stats")
    result = fixloop_fix(
        "examples/stats/stats.py",
        "--test",
        "examples/stats/test_stats.py",
        "--root",
        "examples/stats",
        cwd=REPO,
    )
    assert result.code == 0, result.stderr
    assert result.stdout.startswith("--- a/stats.py\n+++ b/stats.py\n")
    assert "+    return (ordered[middle] + ordered[middle - 1]) / 2" in result.stdout
    assert "engine offline" in result.stderr and "1 failing -> 5/5 tests pass" in result.stderr
    assert snapshot(REPO / "examples" / "stats") == before
    transcripts = list((state_dir / "transcripts").glob("*.jsonl"))
    assert transcripts and any('"verified"' in p.read_text() for p in transcripts)


def test_json_output_and_deterministic_fix(fixloop_fix, stats_copy) -> None:
    first = fixloop_fix("stats.py", "--test", "test_stats.py", "--json", cwd=stats_copy).json()
    second = fixloop_fix("stats.py", "--test", "test_stats.py", "--json", cwd=stats_copy).json()
    assert set(first) >= {
        "verified",
        "diff",
        "engine",
        "candidates_tried",
        "duration_ms",
        "proof",
        "reason",
        "transcript",
    }
    assert first["verified"] is True and first["engine"] == "offline"
    assert first["proof"]["before"]["failed"] == 1 and first["proof"]["after"]["passed"] == 5
    assert Path(first["transcript"]).is_file()
    assert first["diff"] == second["diff"]


def test_write_applies_atomically_keeping_crlf(fixloop_fix, stats_copy) -> None:
    path = stats_copy / "stats.py"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    result = fixloop_fix("stats.py", "--test", "test_stats.py", "--write", cwd=stats_copy)
    assert result.code == 0, result.stderr
    data = path.read_bytes()
    assert b"ordered[middle - 1]" in data
    assert data.count(b"\r\n") == data.count(b"\n")
    assert sorted(p.name for p in stats_copy.iterdir()) == ["stats.py", "test_stats.py"]


def test_nothing_to_fix_exits_3(fixloop_fix, tmp_path) -> None:
    write(tmp_path, "ok.py", "print(sum([1, 2]))\n")
    result = fixloop_fix("ok.py", cwd=tmp_path)
    assert result.code == 3
    assert "nothing to fix" in result.stderr and result.stdout == ""


def test_script_oracle_fixes_an_uncaught_exception(fixloop_fix, tmp_path) -> None:
    write(
        tmp_path,
        "report.py",
        """
        def share(part, whole):
            return part / whole


        print(share(3, 0))
        """,
    )
    before = snapshot(tmp_path)
    result = fixloop_fix("report.py", cwd=tmp_path)
    assert result.code == 0, result.stderr
    assert "ZeroDivisionError -> exit 0" in result.stderr
    assert snapshot(tmp_path) == before


def test_command_oracle(fixloop_fix, tmp_path) -> None:
    write(
        tmp_path,
        "calc.py",
        """
        import sys


        def double(x):
            return x * 3


        sys.exit(0 if double(4) == 8 else 1)
        """,
    )
    result = fixloop_fix("calc.py", "--cmd", "python calc.py", cwd=tmp_path)
    assert result.code == 0, result.stderr
    assert "+    return x * 2\n" in result.stdout


def test_hanging_original_costs_one_timeout_not_the_budget(fixloop_fix, tmp_path) -> None:
    case = tmp_path / "case"
    shutil.copytree(REPO / "tests" / "corpus" / "countdown_hang", case)  # `n += 1` never ends
    result = fixloop_fix("prog.py", "--test", "test_prog.py", "--timeout", "2", "--json", cwd=case)
    data = result.json()
    assert result.code == 0, result.stderr
    assert data["verified"] and data["duration_ms"] < 40_000


def test_lines_outside_the_bug_find_nothing(fixloop_fix, stats_copy) -> None:
    result = fixloop_fix(
        "stats.py", "--test", "test_stats.py", "--lines", "1-8", "--budget", "20", cwd=stats_copy
    )
    assert result.code == 1
    assert "no verified fix" in result.stderr and result.stdout == ""
    # The offline search's progress is printed only on request.
    assert "offline:" not in result.stderr
    verbose = fixloop_fix(
        "stats.py",
        "--test",
        "test_stats.py",
        "--lines",
        "1-8",
        "--budget",
        "20",
        "--verbose",
        cwd=stats_copy,
    )
    assert verbose.code == 1
    assert "fixloop fix: offline: search exhausted after" in verbose.stderr


def test_llm_engine_without_a_model_is_a_configuration_error(fixloop_fix, stats_copy) -> None:
    result = fixloop_fix("stats.py", "--test", "test_stats.py", "--engine", "llm", cwd=stats_copy)
    assert result.code == 2
    assert "--model" in result.stderr


def test_bad_inputs_exit_2_and_write_nothing(fixloop_fix, stats_copy) -> None:
    write(stats_copy, "notes.txt", "hello\n")
    write(stats_copy, "test_broken.py", "def test_x(:\n    pass\n")
    before = snapshot(stats_copy)
    cases = [
        (("missing.py",), "no such file"),
        (("notes.txt",), "not a Python file"),
        (("stats.py", "--lines", "30-40"), "outside"),
        (("stats.py", "--test", "test_nope.py"), "does not exist"),
        (("stats.py", "--budget", "0"), "budget"),
        (("stats.py", "--cmd", "no-such-program-xyz"), "could not run"),
        (("stats.py", "--test", "test_broken.py"), "could not run"),
        (("stats.py", "--python", "/nonexistent/python"), "sandbox unavailable"),
        (("stats.py", "--lines", "9-x"), "--lines"),
    ]
    for args, message in cases:
        result = fixloop_fix(*args, "--write", cwd=stats_copy)
        assert result.code == 2, (args, result.stderr)
        assert message in result.stderr, (args, result.stderr)
    assert snapshot(stats_copy) == before


def test_fifty_thousand_lines_finish_within_the_budget(fixloop_fix, tmp_path) -> None:
    filler = "".join(f"def helper_{i}(x):\n    return x + {i}\n\n\n" for i in range(12_500))
    write(tmp_path, "big.py", filler + "def target(xs):\n    return xs[0]\n")
    write(
        tmp_path,
        "test_big.py",
        """
        from big import target

        def test_empty():
            assert target([]) is None
        """,
    )
    assert len((tmp_path / "big.py").read_text().splitlines()) >= 50_000
    # The work the whole process tree did, in CPU seconds: unlike its wall time, this does not
    # grow when other suites share the machine, and a search that is quadratic in the file's
    # length (guards, diffs, parses) would blow it.
    used_before = _children_cpu_seconds()
    result = fixloop_fix(
        "big.py", "--test", "test_big.py", "--budget", "40", "--json", cwd=tmp_path, timeout=240
    )
    data = result.json()
    assert result.code in (0, 1), result.stderr
    assert _children_cpu_seconds() - used_before < 60
    if result.code == 0:
        assert "if not xs" in data["diff"]


def test_no_bytecode_or_cache_left_in_the_workspace(fixloop_fix, stats_copy) -> None:
    fixloop_fix("stats.py", "--test", "test_stats.py", cwd=stats_copy)
    leftovers = [
        p.name for p in stats_copy.rglob("*") if p.name in ("__pycache__", ".pytest_cache")
    ]
    assert leftovers == []
    assert sorted(os.listdir(stats_copy)) == ["stats.py", "test_stats.py"]


@pytest.mark.docker
def test_docker_sandbox_fixes_the_example(fixloop_fix, stats_copy) -> None:
    if os.environ.get("FIXLOOP_SKIP_DOCKER") == "1":
        pytest.skip("FIXLOOP_SKIP_DOCKER=1")
    image = os.environ.get("FIXLOOP_TEST_IMAGE", "fixloop-test-python:bookworm")
    before = snapshot(stats_copy)
    result = fixloop_fix(
        "stats.py",
        "--test",
        "test_stats.py",
        "--sandbox",
        "docker",
        "--image",
        image,
        "--json",
        cwd=stats_copy,
    )
    assert result.code == 0, result.stderr
    data = result.json()
    assert data["verified"] and "ordered[middle - 1]" in data["diff"]
    assert snapshot(stats_copy) == before


def test_local_sandbox_is_announced_as_unprotected(fixloop_fix, stats_copy) -> None:
    result = fixloop_fix(
        "stats.py", "--test", "test_stats.py", "--sandbox", "local", cwd=stats_copy
    )
    assert result.code == 0, result.stderr
    assert "sandbox is unprotected" in result.stderr
