"""A model's candidate that passes the tests but leaves the mypy error is not verified.

The scripted model first answers with a fix that makes the tests pass while mypy still reports
`[return-value]` on the function; the loop runs mypy in the sandbox on that candidate's proof,
refuses it as "checker" and tells the model why. The second answer passes the tests too but
only hides the error behind `# type: ignore`: refused as well. The third clears it, verified.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from checker_projects import AVERAGE, AVERAGE_TESTS, TOTAL, TOTAL_TESTS
from fixloop.checker_oracle import CheckerTarget
from fixloop.fixes import FixRequest
from fixloop.loop import run_fix
from fixloop.settings import ModelConfig, Settings
from fixloop.spans import LineRange

from .scripted_server import ScriptedServer

# Passes the tests, but returns `int | None` where `int` is promised.
TESTS_ONLY = (
    "```python\ndef average(values: list[int]) -> int:\n    total = 0\n"
    "    for value in values:\n        total += value\n"
    "    return total // len(values) if values else None\n```"
)
# Passes the tests; mypy says nothing, because it was told to look away.
IGNORED = (
    "```python\ndef average(values: list[int]) -> int:\n    total = 0\n"
    "    for value in values:\n        total += value\n"
    "    return total // len(values) if values else None  # type: ignore[return-value]\n```"
)
CLEARS = (
    "```python\ndef average(values: list[int]) -> int:\n    total = 0\n"
    "    for value in values:\n        total += value\n    return total // len(values)\n```"
)


@pytest.mark.parametrize("sandbox", ["local", pytest.param("bwrap", marks=pytest.mark.bwrap)])
async def test_candidate_leaving_the_mypy_error_is_not_verified(
    scripted: ScriptedServer, model_env: ModelConfig, tmp_path: Path, sandbox: str
) -> None:
    (tmp_path / "average.py").write_text(AVERAGE)
    (tmp_path / "test_average.py").write_text(AVERAGE_TESTS)
    scripted.push(TESTS_ONLY)
    scripted.push(IGNORED)
    scripted.push(CLEARS)
    request = FixRequest(
        path=Path("average.py"),
        root=tmp_path,
        settings=Settings(engine="llm", sandbox=sandbox, budget=120.0),
        line_range=LineRange(1, 5),
        tests=("test_average.py",),
        checker=CheckerTarget("mypy", "return-value", 5),
    )
    result = await run_fix(request)
    assert result.verified, result.reason
    assert result.fixed is not None and "if values else None" not in result.fixed
    assert "return total // len(values)\n" in result.fixed
    assert result.checker is not None and result.checker.status == "cleared"
    assert result.evidence.startswith("mypy: [return-value] cleared; tests: 1 failing -> 1/1")
    assert result.transcript is not None
    lines = (await asyncio.to_thread(Path(result.transcript).read_text)).splitlines()
    events = [json.loads(line) for line in lines]
    outcomes = [(e["outcome"], e["reason"]) for e in events if e["kind"] == "candidate"]
    refused = [reason for outcome, reason in outcomes if outcome == "checker"]
    assert len(refused) == 2 and "mypy [return-value] still reports line 5" in refused[0]
    assert "int | None" in refused[0] or "Optional[int]" in refused[0]
    assert "adds '# type: ignore'" in refused[1] and "instead of fixing it" in refused[1]
    assert outcomes[-1][0] == "verified"
    # The model was told why each answer was refused.
    assert len(scripted.requests) == 3
    assert "still reports line 5" in scripted.requests[1].text()
    assert "# type: ignore" in scripted.requests[2].last_user_text()


async def test_first_turn_names_the_diagnostic_when_the_tests_pass(
    scripted: ScriptedServer, model_env: ModelConfig, tmp_path: Path
) -> None:
    (tmp_path / "total.py").write_text(TOTAL)
    (tmp_path / "test_total.py").write_text(TOTAL_TESTS)
    scripted.push("```python\ndef total(xs: list[int]) -> int:\n    return sum(xs)\n```")
    request = FixRequest(
        path=Path("total.py"),
        root=tmp_path,
        settings=Settings(engine="llm", sandbox="local", budget=120.0),
        tests=("test_total.py",),
        checker=CheckerTarget("mypy", "return-value", 2),
    )
    result = await run_fix(request)
    assert result.verified, result.reason
    assert result.evidence == "mypy: [return-value] cleared; tests: 1/1 pass (before and after)"
    first = scripted.requests[0].text()
    assert (
        'mypy [return-value] at line 2: Incompatible return value type (got "str", expected '
        '"int")' in first
    )
    assert "passes and must keep passing" in first
    assert "fails:" not in first
