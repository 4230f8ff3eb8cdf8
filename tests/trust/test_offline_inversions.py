"""The offline engine (the default, no model) never inverts the failing check to pass it.

Issue 11's probes: `assert result == sum(values)` became `!=` while the real bug (`-=`) sat one
line above; `assert retries <= 3` became `>=`; `if amount > balance: raise` became `<`. Each is
a program here: the verified fix is the real bug's fix (or there is none), never a changed check,
and `--write` writes the real fix. With tests, a check-changing candidate is only the fallback:
the search goes on and the real fix wins; when nothing else passes, the fallback is the result,
labelled "changes a check"."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fixloop.fixes import FixRequest, FixResult
from fixloop.loop import run_fix

from .conftest import (
    TOTAL,
    candidates,
    code,
    settings_for,
    snapshot,
    transcript_records,
    write,
)

PROGRAMS = {
    "total": (
        TOTAL,
        ("result -= value", "result += value"),
        "assert result == sum(values)",
    ),
    "retries": (
        """
        def attempts_needed(failures):
            retries = 0
            for failed in failures:
                if failed:
                    retries += 2
            assert retries <= 3
            return retries


        print(attempts_needed([True, True, False]))
        """,
        ("retries += 2", "retries += 1"),
        "assert retries <= 3",
    ),
    "bank": (
        """
        def withdraw(balance, amount):
            if amount > balance:
                raise ValueError("insufficient funds")
            return balance - amount


        def pay(balance, costs):
            for cost in costs:
                balance = withdraw(balance, cost)
            return balance


        def monthly(balance, costs):
            return pay(balance, costs + costs)


        # A repeated cost, so that dropping repeats (`set(costs)`) is not a fix as well.
        final = monthly(100, [30, 30, 10])
        assert final == 30
        print(final)
        """,
        ("pay(balance, costs + costs)", "pay(balance, costs)"),
        "if amount > balance:",
    ),
}


def checks_of(text: str) -> list[str]:
    """Every assert and raise-guard condition of a program, as source."""
    found = []
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Assert):
            found.append(ast.unparse(node.test))
        elif isinstance(node, ast.If) and any(isinstance(s, ast.Raise) for s in node.body):
            found.append(ast.unparse(node.test))
    return found


async def offline_fix(root: Path, path: str, kind: str, tests: tuple[str, ...] = ()) -> FixResult:
    request = FixRequest(
        path=Path(path), root=root, settings=settings_for(kind, engine="offline"), tests=tests
    )
    return await run_fix(request)


@pytest.mark.parametrize("kind", ["local", "bwrap"])
@pytest.mark.parametrize("name", sorted(PROGRAMS))
async def test_the_offline_engine_fixes_the_bug_and_never_the_check(
    tmp_path: Path, kind: str, name: str
) -> None:
    program, (bug, fix), check = PROGRAMS[name]
    root = write(tmp_path, {f"{name}.py": program})
    source = code(program)
    result = await offline_fix(root, f"{name}.py", kind)
    if result.verified:
        assert result.fixed == source.replace(bug, fix), result.diff
    # Never a changed check, verified or not: the original's checks are all still there.
    assert result.fixed is None or checks_of(result.fixed) == checks_of(source)
    assert not result.changes_check
    refused = [c for c in candidates(result) if c["outcome"] == "guard"]
    assert any(check.split(":")[0].split("assert ")[-1] in c["reason"] for c in refused), refused
    assert result.verified, f"{name}: the real bug is within the offline engine's reach"


def test_fixloop_fix_write_writes_the_real_fix(tmp_path: Path, state_dir: Path) -> None:
    program, (bug, fix), _ = PROGRAMS["total"]
    root = write(tmp_path, {"total.py": program})
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FIXLOOP_MODEL", "OPENAI"))}
    env["FIXLOOP_STATE_DIR"] = str(state_dir)
    done = subprocess.run(
        [sys.executable, "-m", "fixloop", "fix", "total.py", "--sandbox", "local", "--write"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    written = (root / "total.py").read_text()
    assert written == code(program).replace(bug, fix)
    assert "assert result == sum(values)" in written and "!=" not in written


RETRIES_WITH_TESTS = {
    "retry.py": """
        def attempts(failures):
            retries = 0
            for failed in failures:
                if failed:
                    retries += 2
            assert retries <= 3
            return len(failures)
        """,
    "test_retry.py": """
        from retry import attempts


        def test_three_attempts():
            assert attempts([True, True, False]) == 3


        def test_no_failures():
            assert attempts([False]) == 1
        """,
}
CLAMP_WITH_TESTS = {
    "clamp.py": """
        def clamp(x, low, high):
            assert low < high
            return max(low, min(x, high))
        """,
    "test_clamp.py": """
        from clamp import clamp


        def test_inside():
            assert clamp(5, 0, 10) == 5


        def test_a_single_point_range():
            assert clamp(5, 3, 3) == 3
        """,
}


@pytest.mark.parametrize("kind", ["local", "bwrap"])
async def test_with_tests_an_inverted_check_is_only_the_fallback_and_the_real_fix_wins(
    tmp_path: Path, kind: str
) -> None:
    root = write(tmp_path, RETRIES_WITH_TESTS)
    before = snapshot(root)
    result = await offline_fix(root, "retry.py", kind, tests=("test_retry.py",))
    assert result.verified and result.fixed is not None, result.reason
    assert "retries += 1" in result.fixed and "assert retries <= 3" in result.fixed
    assert not result.changes_check and "changes a check" not in result.summary
    tried = candidates(result)
    kept = [c for c in tried if c["outcome"] == "changes check"]
    assert kept and "assert retries <= 3" in kept[0]["changes_check"], tried
    # The check-changing candidate came first; the search went on past it.
    assert tried.index(kept[0]) < next(i for i, c in enumerate(tried) if c["outcome"] == "verified")
    assert snapshot(root) == before


@pytest.mark.parametrize("kind", ["local", "bwrap"])
async def test_with_tests_a_check_change_that_alone_passes_is_the_labelled_result(
    tmp_path: Path, kind: str
) -> None:
    root = write(tmp_path, CLAMP_WITH_TESTS)
    result = await offline_fix(root, "clamp.py", kind, tests=("test_clamp.py",))
    assert result.verified and result.fixed is not None, result.reason
    assert result.changes_check and "(changes a check: the assert at line 2" in result.summary
    assert checks_of(result.fixed) != checks_of(code(CLAMP_WITH_TESTS["clamp.py"]))
    final = [r for r in transcript_records(result) if r["kind"] == "result"][0]
    assert final["verified"] and "assert low < high" in final["changes_check"]
