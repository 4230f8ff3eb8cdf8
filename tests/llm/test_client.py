"""The model client over real HTTP: answers, usage, retries and every HTTP failure mode."""

from __future__ import annotations

import asyncio
import socket

import pytest
from fixloop.repair.llm.client import ModelConversation, ModelLimits
from fixloop.repair.llm.errors import ModelConfigError, ModelUnavailableError
from fixloop.settings import ModelConfig

from .conftest import CANARY_KEY
from .scripted_server import Reply, ScriptedServer

FAST = ModelLimits(request_timeout=5, max_retries=3, backoff_base=0.05, backoff_cap=0.2)


def conversation(config: ModelConfig, limits: ModelLimits = FAST) -> ModelConversation:
    return ModelConversation(config, system_message="You write code.", limits=limits)


async def test_answer_usage_and_history_reach_the_endpoint(
    scripted: ScriptedServer, model_env: ModelConfig
) -> None:
    scripted.push(Reply("first", prompt_tokens=11, completion_tokens=7), Reply("second"))
    chat = conversation(model_env)
    first = await chat.ask("hello")
    second = await chat.ask("again")
    await chat.close()
    assert (first.text, second.text) == ("first", "second")
    assert chat.tokens == 11 + 7 + 100 + 50 and chat.turns == 2
    # The agent keeps the history: the second request carries the first exchange.
    roles = [m["role"] for m in scripted.requests[1].body["messages"]]
    assert roles == ["system", "user", "assistant", "user"]
    assert scripted.requests[0].headers["authorization"] == f"Bearer {CANARY_KEY}"
    assert scripted.requests[0].body["model"] == "scripted-coder"


async def test_cut_off_answer_is_reported(scripted: ScriptedServer, model_env: ModelConfig) -> None:
    scripted.push(Reply("```python\ndef f(", finish_reason="length"))
    chat = conversation(model_env)
    answer = await chat.ask("go")
    await chat.close()
    assert answer.finish_reason == "length"


async def test_429_with_retry_after_is_retried(
    scripted: ScriptedServer, model_env: ModelConfig
) -> None:
    scripted.push(Reply(status=429, headers={"retry-after": "0.2"}), Reply("ok"))
    chat = conversation(model_env)
    answer = await chat.ask("go")
    await chat.close()
    assert answer.text == "ok" and len(scripted.requests) == 2 and chat.retries == 1


async def test_429_with_huge_retry_after_gives_a_clear_error(
    scripted: ScriptedServer, model_env: ModelConfig
) -> None:
    scripted.push(Reply(status=429, headers={"retry-after": "3600"}))
    chat = conversation(model_env)
    with pytest.raises(ModelUnavailableError, match="retry after 3600 s"):
        await chat.ask("go")
    await chat.close()
    assert len(scripted.requests) == 1


async def test_500_then_success(scripted: ScriptedServer, model_env: ModelConfig) -> None:
    scripted.push(Reply(status=500), Reply(status=503), Reply("ok"))
    chat = conversation(model_env)
    assert (await chat.ask("go")).text == "ok"
    await chat.close()
    assert len(scripted.requests) == 3


async def test_500_forever_stops_after_bounded_retries(
    scripted: ScriptedServer, model_env: ModelConfig
) -> None:
    scripted.push(*[Reply(status=500) for _ in range(10)])
    chat = conversation(model_env)
    with pytest.raises(ModelUnavailableError, match=r"HTTP 500, 4 attempts"):
        await chat.ask("go")
    await chat.close()
    assert len(scripted.requests) == 4


async def test_timeout_is_retried(scripted: ScriptedServer, model_env: ModelConfig) -> None:
    scripted.push(Reply("late", delay=2.0), Reply("ok"))
    limits = ModelLimits(request_timeout=0.5, max_retries=2, backoff_base=0.05)
    chat = conversation(model_env, limits)
    assert (await chat.ask("go")).text == "ok"
    await chat.close()


async def test_timeouts_forever_give_a_clear_error(
    scripted: ScriptedServer, model_env: ModelConfig
) -> None:
    scripted.push(*[Reply("late", delay=1.5) for _ in range(3)])
    limits = ModelLimits(request_timeout=0.3, max_retries=1, backoff_base=0.05)
    chat = conversation(model_env, limits)
    with pytest.raises(ModelUnavailableError, match="did not answer within 0.3 s"):
        await chat.ask("go")
    await chat.close()


async def test_dropped_connection_is_retried(
    scripted: ScriptedServer, model_env: ModelConfig
) -> None:
    scripted.push(Reply(drop=True), Reply("ok"))
    chat = conversation(model_env)
    assert (await chat.ask("go")).text == "ok"
    await chat.close()


async def test_401_is_a_config_error_without_the_key(
    scripted: ScriptedServer, model_env: ModelConfig
) -> None:
    scripted.push(Reply(status=401, error_message=f"Incorrect API key provided: {CANARY_KEY}"))
    chat = conversation(model_env)
    with pytest.raises(ModelConfigError) as caught:
        await chat.ask("go")
    await chat.close()
    assert "HTTP 401" in str(caught.value) and CANARY_KEY not in str(caught.value)
    assert len(scripted.requests) == 1  # never retried


async def test_404_unknown_model(scripted: ScriptedServer, model_env: ModelConfig) -> None:
    scripted.push(Reply(status=404, error_message="model 'scripted-coder' not found"))
    chat = conversation(model_env)
    with pytest.raises(ModelConfigError, match="model 'scripted-coder' was not found"):
        await chat.ask("go")
    await chat.close()


async def test_connection_refused(model_env: ModelConfig) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed when the block ends: nobody listens there
    config = ModelConfig(model="m", base_url=f"http://127.0.0.1:{port}/v1", api_key=CANARY_KEY)
    chat = conversation(config)
    with pytest.raises(ModelConfigError, match="cannot reach the model endpoint"):
        await chat.ask("go")
    await chat.close()


async def test_cancellation_stops_the_call(
    scripted: ScriptedServer, model_env: ModelConfig
) -> None:
    scripted.push(Reply("slow", delay=3.0))
    chat = conversation(model_env)
    task = asyncio.ensure_future(chat.ask("go"))
    assert await asyncio.to_thread(scripted.request_seen.wait, 5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await chat.close()
    assert len(scripted.requests) == 1


@pytest.mark.parametrize(
    ("config", "message"),
    [
        (ModelConfig(model="", base_url=None), "no model is configured"),
        (ModelConfig(model="gpt-4o", base_url=None), "no API key"),
        (ModelConfig(model="m", base_url="ftp://x", api_key="k"), "must start with http"),
    ],
)
def test_bad_configuration_is_refused_before_any_call(config: ModelConfig, message: str) -> None:
    with pytest.raises(ModelConfigError, match=message):
        conversation(config)


def test_cost_estimate_from_the_price_table_and_the_override(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from fixloop.repair.llm.client import price_per_mtok

    monkeypatch.delenv("FIXLOOP_PRICE", raising=False)
    assert price_per_mtok("gpt-4o-mini-2024-07-18") == (0.15, 0.6)
    assert price_per_mtok("qwen2.5-coder:7b") == (0.0, 0.0)  # local models are free
    monkeypatch.setenv("FIXLOOP_PRICE", "1.5,6")
    assert price_per_mtok("anything") == (1.5, 6.0)


async def test_tokens_and_cost_are_counted(
    scripted: ScriptedServer, model_env: ModelConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FIXLOOP_PRICE", "2,8")
    scripted.push(Reply("a", prompt_tokens=1000, completion_tokens=500))
    chat = conversation(model_env)
    await chat.ask("go")
    await chat.close()
    assert chat.tokens == 1500 and chat.cost_usd() == pytest.approx((1000 * 2 + 500 * 8) / 1e6)
