"""The model engine inside the real repair loop: `fixloop.loop.run_fix` and `fixloop fix --engine llm`."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fixloop.fixes import FixRequest, FixResult
from fixloop.loop import run_fix
from fixloop.settings import ModelConfig, Settings
from fixloop.spans import LineRange

from .conftest import CANARY_KEY
from .scripted_server import Reply, ScriptedServer

STATS = """def mean(values):
    return sum(values) / len(values)


def spread(values):
    return max(values) - min(values)
"""
TESTS = """from stats import mean, spread


def test_mean():
    assert mean([1, 2, 3]) == 2


def test_mean_of_nothing_is_zero():
    assert mean([]) == 0.0


def test_spread():
    assert spread([1, 5]) == 4
"""
GOOD = "The list can be empty:\n```python\ndef mean(values):\n    if not values:\n        return 0.0\n    return sum(values) / len(values)\n```"
WRONG = "```python\ndef mean(values):\n    return sum(values) / (len(values) + 1)\n```"
SWALLOW = (
    "```python\ndef mean(values):\n    try:\n        return sum(values) / len(values)\n"
    "    except Exception:\n        pass\n```"
)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "stats.py").write_text(STATS)
    (tmp_path / "test_stats.py").write_text(TESTS)
    return tmp_path


async def fix(project: Path, **settings: object) -> FixResult:
    chosen = Settings(**{"engine": "llm", "sandbox": "local", "budget": 60.0, **settings})  # type: ignore[arg-type]
    request = FixRequest(
        path=Path("stats.py"),
        root=project,
        settings=chosen,
        line_range=LineRange(1, 2),
        tests=("test_stats.py",),
    )
    return await run_fix(request)


def transcript_text(result: FixResult) -> str:
    assert result.transcript is not None
    return Path(result.transcript).read_text()


async def test_fix_in_one_turn(
    scripted: ScriptedServer, model_env: ModelConfig, project: Path
) -> None:
    scripted.push(GOOD)
    result = await fix(project)
    assert result.verified and result.engine == "llm"
    assert "+    if not values:" in result.diff and "+        return 0.0" in result.diff
    first = scripted.requests[0].text()
    assert "ZeroDivisionError" in first and "def mean(values):" in first and "1-2" in first
    assert len(scripted.requests) == 1
    assert (project / "stats.py").read_text() == STATS  # the user's file is untouched
    assert '"model_usage"' in transcript_text(result) or "model_usage" in transcript_text(result)


async def test_fix_in_three_turns_with_feedback(
    scripted: ScriptedServer, model_env: ModelConfig, project: Path
) -> None:
    scripted.push(
        WRONG, "I think the problem is the division by zero when the list is empty.", GOOD
    )
    result = await fix(project)
    assert result.verified and len(scripted.requests) == 3
    second = scripted.requests[1].last_user_text()
    assert "rejected" in second and "sum(values) / (len(values) + 1)" not in second
    assert "test_mean" in second  # the failing test output went back
    third = scripted.requests[2].last_user_text()
    assert "could not be used" in third and "prose only" in third
    # The conversation history (the agent's context) carries the earlier attempt.
    assert "len(values) + 1" in scripted.requests[2].text()


async def test_guards_reject_a_swallowed_exception(
    scripted: ScriptedServer, model_env: ModelConfig, project: Path
) -> None:
    scripted.push(SWALLOW, GOOD)
    result = await fix(project)
    assert result.verified
    feedback = scripted.requests[1].last_user_text()
    assert "rejected (" in feedback


async def test_a_model_that_never_succeeds_stops_at_the_turn_budget(
    scripted: ScriptedServer, model_env: ModelConfig, project: Path
) -> None:
    scripted.fallback = lambda request: Reply(WRONG.replace("+ 1", f"+ {len(scripted.requests)}"))
    result = await fix(project, max_turns=3)
    assert not result.verified and result.diff == ""
    assert len(scripted.requests) == 3
    assert (project / "stats.py").read_text() == STATS


async def test_hazardous_answers_never_reach_the_file(
    scripted: ScriptedServer, model_env: ModelConfig, project: Path
) -> None:
    scripted.push(
        Reply(
            "```python\ndef mean(values):\n    if not values:\n        return 0.0\n    return sum(",
            finish_reason="length",
        ),
        "```python\ndef mean(values):\n    # ... rest unchanged\n```",
        "```diff\n-    return sum(values) / len(values)\n+    return sum(values) / len(values) if values else 0.0\n```",
        "```javascript\nfunction mean(v) { return 0 }\n```",
        "```python\nimport sys\ndef mean(values):\n    sys.exit(0)\n```",
        "```python\n" + "total = 0\n" * 10_000 + "```",
        "```python\ndef mean(values):\n    return sum(values) / len(values) if values else 0.0\n\n\n"
        "def spread(values):\n    return 4\n```",
        "```python\npass\n```",
        "No code needed; the function is fine as it is.",
        GOOD,
    )
    result = await fix(project, max_turns=10)
    assert result.verified and len(scripted.requests) == 10
    reasons = [scripted.requests[i].last_user_text() for i in range(1, 10)]
    assert "cut off" in reasons[0]
    assert "placeholder" in reasons[1]
    assert "diff" in reasons[2]
    assert "wrong language" in reasons[3]
    assert "rejected (" in reasons[4]  # sys.exit: the guards or the oracle refuse it
    assert "too large" in reasons[5]
    assert "redefines spread" in reasons[6]  # an edit outside the range
    assert "rejected (" in reasons[7]  # the function deleted
    assert "prose only" in reasons[8]
    assert "def spread(values):\n    return max(values) - min(values)" in result.fixed


async def test_unavailable_endpoint_stops_the_model_without_crashing(
    scripted: ScriptedServer, model_env: ModelConfig, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FIXLOOP_MODEL_RETRIES", "1")
    scripted.push(*[Reply(status=500) for _ in range(5)])
    result = await fix(project)
    assert not result.verified and len(scripted.requests) == 2
    assert "HTTP 500" in transcript_text(result)


async def test_canary_key_stays_out_of_prompts_sandbox_transcript_and_logs(
    scripted: ScriptedServer,
    model_env: ModelConfig,
    project: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", CANARY_KEY)
    caplog.set_level(logging.DEBUG)
    leak = (
        "```python\ndef mean(values):\n    import os\n"
        "    raise RuntimeError('ENV ' + repr(sorted(os.environ.items())))\n```"
    )
    scripted.push(leak, GOOD)
    result = await fix(project)
    assert result.verified
    shown = scripted.requests[1].last_user_text()
    assert "ENV [" in shown and "PATH" in shown  # the environment dump really came back
    for request in scripted.requests:
        assert CANARY_KEY not in json.dumps(request.body)
    assert CANARY_KEY not in transcript_text(result)
    assert CANARY_KEY not in caplog.text
    assert str(Path.home()) + "/" not in json.dumps([r.body for r in scripted.requests])


def test_fixloop_fix_engine_llm_cli(
    scripted: ScriptedServer, model_env: ModelConfig, project: Path
) -> None:
    scripted.push(GOOD)
    # The model comes from the flags here; only the key comes from the environment.
    env = {k: v for k, v in os.environ.items() if k not in ("FIXLOOP_MODEL", "FIXLOOP_BASE_URL")}
    env["PYTHONPATH"] = os.pathsep.join(sys.path)
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "fixloop",
            "fix",
            "stats.py",
            "--lines",
            "1-2",
            "--test",
            "test_stats.py",
            "--engine",
            "llm",
            "--sandbox",
            "bwrap",
            "--json",
            "--model",
            "flag-model",
            "--base-url",
            scripted.base_url,
        ],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    report = json.loads(completed.stdout)
    assert report["verified"] and report["engine"] == "llm"
    assert "+    if not values:" in report["diff"]
    assert CANARY_KEY not in completed.stdout + completed.stderr
    assert scripted.requests[0].body["model"] == "flag-model"
    assert "fixloop fix: model turn 1/" in completed.stderr  # the user sees the model working


def test_fixloop_fix_engine_llm_without_a_model_says_how_to_configure(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FIXLOOP_", "OPENAI_"))}
    env["PYTHONPATH"] = os.pathsep.join(sys.path)
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "fixloop",
            "fix",
            "stats.py",
            "--test",
            "test_stats.py",
            "--engine",
            "llm",
        ],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert completed.returncode == 2
    assert "--model" in completed.stderr and "FIXLOOP_API_KEY" in completed.stderr


@pytest.mark.parametrize(
    ("status", "words"), [(401, "rejected the API key"), (404, "was not found")]
)
async def test_configuration_errors_are_reported_not_retried(
    scripted: ScriptedServer, model_env: ModelConfig, project: Path, status: int, words: str
) -> None:
    scripted.push(Reply(status=status, error_message=f"bad: {CANARY_KEY}"))
    result = await fix(project)
    assert not result.verified and len(scripted.requests) == 1
    transcript = transcript_text(result)
    assert words in transcript and CANARY_KEY not in transcript


MEDIAN = (
    "def median(values):\n    ordered = sorted(values)\n    return ordered[len(ordered) // 2]\n"
)
MEDIAN_TESTS = (
    "from med import median\n\n\ndef test_odd():\n    assert median([3, 1, 2]) == 2\n\n\n"
    "def test_even():\n    assert median([4, 1, 3, 2]) == 2.5\n"
)
MEDIAN_FIX = (
    "```python\ndef median(values):\n    ordered = sorted(values)\n    middle = len(ordered) // 2\n"
    "    if len(ordered) % 2 == 0:\n        return (ordered[middle - 1] + ordered[middle]) / 2\n"
    "    return ordered[middle]\n```"
)


async def test_auto_runs_offline_first_then_the_model(
    scripted: ScriptedServer, model_env: ModelConfig, tmp_path: Path
) -> None:
    (tmp_path / "med.py").write_text(MEDIAN)
    (tmp_path / "test_med.py").write_text(MEDIAN_TESTS)
    scripted.push(MEDIAN_FIX)
    request = FixRequest(
        path=Path("med.py"),
        root=tmp_path,
        settings=Settings(engine="auto", sandbox="local"),
        line_range=LineRange(1, 3),
        tests=("test_med.py",),
    )
    result = await run_fix(request)
    assert result.verified and result.engine == "llm" and len(scripted.requests) == 1
    assert result.candidates_tried > 1  # the offline engine had its go first
    # ... and the model hears that it did, with how many edits it tried.
    prompt = scripted.requests[0].body["messages"][-1]["content"]
    assert f"already tried {result.candidates_tried - 1} small edits" in prompt


async def test_auto_does_not_call_the_model_when_offline_fixes_it(
    scripted: ScriptedServer, model_env: ModelConfig, project: Path
) -> None:
    result = await fix(project, engine="auto")
    assert result.verified and result.engine == "offline" and scripted.requests == []


def test_fixloop_fix_with_a_model_but_no_key_is_a_configuration_error(project: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FIXLOOP_", "OPENAI_"))}
    env.update(PYTHONPATH=os.pathsep.join(sys.path), FIXLOOP_MODEL="gpt-4o")
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "fixloop",
            "fix",
            "stats.py",
            "--test",
            "test_stats.py",
            "--engine",
            "llm",
        ],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert completed.returncode == 2 and "Traceback" not in completed.stderr
    assert "no API key" in completed.stderr
