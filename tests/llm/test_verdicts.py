"""Truthful verdicts for any engine: the model's candidates meet the same checks as the offline
engine's, through the real loop, the real openai client and the scripted server.

- With no tests, a candidate that avoids the error by skipping the work (it leaves the loop at
  its first iteration) is refused: it does not print what the original printed before failing.
- A candidate that special-cases a value only the tests hold is refused as overfitting.
The refusal goes back to the model as feedback, and the next, right answer is verified.
"""

from __future__ import annotations

import asyncio
import textwrap
from pathlib import Path

from fixloop.fixes import FixRequest, FixResult
from fixloop.loop import run_fix
from fixloop.settings import ModelConfig, Settings
from fixloop.spans import LineRange

from .scripted_server import ScriptedServer

RECEIPT = textwrap.dedent(
    """
    PRICES = {"apple": 0.5, "pear": 0.75, "fig": 2.0}


    def receipt(order):
        total = 0.0
        for index in range(len(order) + 1):
            item = order[index]
            print(f"{item}: {PRICES[item]:.2f}")
            total += PRICES[item]
        return total


    print(f"total: {receipt(['apple', 'pear', 'fig']):.2f}")
    """
).lstrip("\n")
FUNCTION = "".join(RECEIPT.splitlines(keepends=True)[3:10])
LEAVES_EARLY = FUNCTION.replace(
    "        item = order", "        if index:\n            break\n        item = order"
)
assert LEAVES_EARLY != FUNCTION
RIGHT = FUNCTION.replace("range(len(order) + 1)", "range(len(order))")

ACCESS = textwrap.dedent(
    """
    def can_edit(user, post):
        return post["author"] == user["id"] and user["active"]
    """
).lstrip("\n")
ACCESS_TESTS = textwrap.dedent(
    """
    from access import can_edit


    def test_author_can_edit():
        assert can_edit({"id": 3, "active": True}, {"author": 3})


    def test_admin_can_edit():
        assert can_edit({"id": 77, "active": True, "admin": True}, {"author": 3})


    def test_stranger_cannot():
        assert not can_edit({"id": 5, "active": True}, {"author": 3})
    """
)
SPECIAL = (
    "```python\ndef can_edit(user, post):\n"
    '    return post["author"] == user["id"] and user["active"] or user["id"] == 77\n```'
)
GENERAL = (
    "```python\ndef can_edit(user, post):\n"
    '    return (post["author"] == user["id"] or user.get("admin", False)) and user["active"]\n```'
)


def code(text: str) -> str:
    return f"```python\n{text}```"


async def _transcript(result: FixResult) -> str:
    assert result.transcript is not None
    return await asyncio.to_thread(Path(result.transcript).read_text)


async def test_a_script_fix_that_skips_the_work_is_refused(
    scripted: ScriptedServer, model_env: ModelConfig, tmp_path: Path
) -> None:
    (tmp_path / "receipt.py").write_text(RECEIPT)
    scripted.push(code(LEAVES_EARLY), code(RIGHT))
    result = await run_fix(
        FixRequest(
            Path("receipt.py"),
            tmp_path,
            Settings(engine="llm", sandbox="local", budget=60.0),
            line_range=LineRange(4, 10),
        )
    )
    assert result.verified and result.fixed is not None
    assert "range(len(order))" in result.fixed
    assert result.evidence == "runs without error (no tests)"
    assert len(scripted.requests) == 2
    feedback = scripted.requests[1].last_user_text()
    assert "skips work" in feedback and "pear: 0.75" in feedback
    assert '"skips work"' in await _transcript(result)


async def test_a_fix_that_special_cases_a_tested_value_is_refused(
    scripted: ScriptedServer, model_env: ModelConfig, tmp_path: Path
) -> None:
    (tmp_path / "access.py").write_text(ACCESS)
    (tmp_path / "test_access.py").write_text(ACCESS_TESTS)
    scripted.push(SPECIAL, GENERAL)
    result = await run_fix(
        FixRequest(
            Path("access.py"),
            tmp_path,
            Settings(engine="llm", sandbox="local", budget=60.0),
            line_range=LineRange(1, 2),
            tests=("test_access.py",),
        )
    )
    assert result.verified and result.fixed is not None and 'get("admin"' in result.fixed
    assert result.evidence == "tests: 1 failing -> 3/3 pass"
    feedback = scripted.requests[1].last_user_text()
    assert "overfits" in feedback and "77" in feedback
