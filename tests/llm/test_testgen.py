"""Test generation end to end: `fixloop tests` against the scripted model and a real sandbox."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fixloop.settings import ModelConfig, Settings
from fixloop.spans import LineRange
from fixloop.testgen import declared_bugs, generate_tests

from .scripted_server import ScriptedServer

PRICES = '''def discount(price, percent):
    """Price after taking `percent` percent off; percent is between 0 and 100."""
    return price - price * percent / 10


def tax(price):
    return round(price * 0.2, 2)
'''
# Turn 1: one test whose expectation is wrong (the model's mistake), one that finds the bug.
TESTS_V1 = """```python
from prices import discount


def test_no_discount():
    assert discount(100, 0) == 90


def test_half_price():
    assert discount(80, 50) == 40
```
BUG: test_half_price: the percentage is divided by 10 instead of 100
"""
TESTS_V2 = """The first expectation was wrong.
```python
from prices import discount


def test_no_discount():
    assert discount(100, 0) == 100


def test_half_price():
    assert discount(80, 50) == 40
```
BUG: test_half_price: the percentage is divided by 10 instead of 100
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "prices.py").write_text(PRICES)
    return tmp_path


async def test_wrong_test_is_fixed_and_the_bug_is_reported(
    scripted: ScriptedServer, model_env: ModelConfig, project: Path
) -> None:
    scripted.push(TESTS_V1, TESTS_V2)
    result = await generate_tests(
        "prices.py", project, None, LineRange(1, 3), Settings(sandbox="local")
    )
    assert result.ok and result.turns == 2
    assert (result.passed, result.failed) == (1, 1)
    assert [bug.test for bug in result.bugs] == ["test_half_price"]
    assert "divided by 10" in result.bugs_found[0]
    feedback = scripted.requests[1].last_user_text()
    assert "test_no_discount" in feedback and "without a BUG declaration" in feedback
    assert (
        "test_half_price:" not in feedback.split("Output:")[0]
    )  # the declared bug is not re-argued
    assert result.diff.startswith("--- /dev/null\n+++ b/test_prices.py\n")
    assert "from prices import discount" in scripted.requests[0].last_user_text()
    assert not (project / "test_prices.py").exists()
    assert result.transcript
    assert '"bugs": ["test_half_price' in await asyncio.to_thread(Path(result.transcript).read_text)


async def test_a_declared_bug_that_is_a_test_mistake_is_not_accepted(
    scripted: ScriptedServer, model_env: ModelConfig, project: Path
) -> None:
    broken = "```python\nfrom prices import discount\n\ndef test_x():\n    assert undefined_helper(1)\n```\nBUG: test_x: wrong"
    good = "```python\nfrom prices import tax\n\ndef test_tax():\n    assert tax(10) == 2.0\n```"
    scripted.push(broken, good)
    result = await generate_tests(
        project / "prices.py", project, None, LineRange(6, 7), Settings(sandbox="local")
    )
    assert result.ok and not result.bugs and result.passed == 1
    assert "NameError" in scripted.requests[1].last_user_text()


def test_bug_lines_are_parsed() -> None:
    assert declared_bugs("x\nBUG: test_a: off by one\n- BUG: `test_b` — swapped\n") == {
        "test_a": "off by one",
        "test_b": "swapped",
    }


def test_fixloop_tests_cli_writes_the_file_and_the_fix_follows(
    scripted: ScriptedServer, model_env: ModelConfig, project: Path
) -> None:
    scripted.push(TESTS_V2)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "fixloop",
            "tests",
            "prices.py",
            "--lines",
            "1-3",
            "--write",
            "--sandbox",
            "bwrap",
        ],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    assert "+def test_half_price():" in completed.stdout
    assert "bug found: test_half_price" in completed.stderr
    written = (project / "test_prices.py").read_text()
    assert "assert discount(100, 0) == 100" in written
    # The bug the tests found is then fixed by the loop, through the model engine.
    scripted.push(
        '```python\ndef discount(price, percent):\n    """Price after taking `percent` percent off; '
        'percent is between 0 and 100."""\n    return price - price * percent / 100\n```'
    )
    fixed = subprocess.run(
        [
            sys.executable,
            "-m",
            "fixloop",
            "fix",
            "prices.py",
            "--lines",
            "1-3",
            "--test",
            "test_prices.py",
            "--engine",
            "llm",
            "--sandbox",
            "bwrap",
        ],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert fixed.returncode == 0, fixed.stderr
    assert "+    return price - price * percent / 100" in fixed.stdout
