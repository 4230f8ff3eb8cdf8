"""One conversation with an OpenAI-compatible model: AutoGen's AssistantAgent over a retrying client.

`ModelConversation` wraps `autogen_agentchat.agents.AssistantAgent` (which keeps the message
history, with earlier answers summarised by `history.SummarisedAnswers`) around `OpenAIChatCompletionClient` (which speaks to any OpenAI-compatible endpoint
through the `openai` package). Between the two sits `_RetryingClient`: the openai client's own
retries are turned off so that this module owns the policy (bounded exponential backoff on 429,
5xx, timeouts and dropped connections; retry-after honoured; nothing retried past the caller's
deadline) and turns every HTTP failure into a `ModelError` whose message says what to do and never
contains the API key. Usage is counted per answer for the token budget and the cost estimate.
This module imports openai and autogen at the top, so callers import it lazily.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import random
import time
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import openai
from autogen_agentchat.agents import AssistantAgent
from autogen_agentchat.messages import TextMessage
from autogen_core import CancellationToken
from autogen_core.models import (
    ChatCompletionClient,
    CreateResult,
    LLMMessage,
    ModelCapabilities,  # type: ignore[attr-defined]
    ModelInfo,
    RequestUsage,
)
from autogen_ext.models.openai import OpenAIChatCompletionClient

from fixloop.repair.llm.errors import (
    HOW_TO_CONFIGURE,
    ModelBudgetExhausted,
    ModelConfigError,
    ModelUnavailableError,
)
from fixloop.repair.llm.history import SummarisedAnswers
from fixloop.repair.llm.limits import ModelLimits, price_per_mtok
from fixloop.settings import ModelConfig

__all__ = ["ModelAnswer", "ModelConversation", "ModelLimits", "price_per_mtok", "retrying_client"]

log = logging.getLogger(__name__)

# Capabilities declared for model names AutoGen does not know (Ollama, vLLM, llama.cpp...):
# we only ever send plain text and read plain text back.
_UNKNOWN_MODEL_INFO: ModelInfo = {
    "vision": False,
    "function_calling": False,
    "json_output": False,
    "family": "unknown",
    "structured_output": False,
    "multiple_system_messages": True,
}


@dataclass(frozen=True)
class ModelAnswer:
    text: str
    finish_reason: str  # "stop", "length" (cut off), ...
    prompt_tokens: int
    completion_tokens: int

    def turn_fields(self) -> dict[str, object]:
        """What a transcript keeps of this answer: why it ended and what it cost, never its text."""
        return {
            "finish_reason": self.finish_reason,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
        }


def model_info_for(name: str) -> ModelInfo:
    """AutoGen's info for known OpenAI names, a plain-text profile for anything else."""
    from autogen_ext.models.openai import _model_info

    try:
        return _model_info.get_info(name)
    except ValueError:  # AutoGen raises for names it does not know
        return _UNKNOWN_MODEL_INFO


def _retry_after_seconds(error: openai.APIStatusError) -> float | None:
    headers = error.response.headers
    raw_ms = headers.get("retry-after-ms")
    if raw_ms:
        try:
            return max(0.0, float(raw_ms) / 1000)
        except ValueError:
            pass
    raw = headers.get("retry-after")
    if not raw:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    try:
        parsed = email.utils.parsedate_to_datetime(raw)  # raises on an unparsable date (3.10+)
    except (TypeError, ValueError):
        return None  # an unreadable hint: fall back to our own backoff
    return max(0.0, parsed.timestamp() - time.time())


class _RetryingClient(ChatCompletionClient):
    """Delegates to the AutoGen OpenAI client, adding our retry policy and error messages."""

    def __init__(self, inner: OpenAIChatCompletionClient, config: ModelConfig, limits: ModelLimits):
        self._inner = inner
        self._config = config
        self._limits = limits
        self.deadline = float("inf")  # monotonic time after which no retry starts
        self.last_result: CreateResult | None = None
        self.retries = 0
        self.model_seconds = 0.0  # time spent waiting for the endpoint (benchmarks subtract it)

    @property
    def _endpoint(self) -> str:
        return self._config.base_url or "https://api.openai.com/v1"

    def _redact(self, text: str) -> str:
        key = self._config.api_key
        return text.replace(key, "[redacted]") if key else text

    def _fatal(self, error: openai.APIError) -> ModelConfigError | ModelUnavailableError | None:
        model, endpoint = self._config.model, self._endpoint
        if isinstance(error, openai.AuthenticationError):
            # The server's own message may echo part of the key: never pass it on.
            return ModelConfigError(
                f"the endpoint {endpoint} rejected the API key (HTTP 401); set a valid key in "
                "FIXLOOP_API_KEY or OPENAI_API_KEY"
            )
        if isinstance(error, openai.PermissionDeniedError):
            return ModelConfigError(
                f"the API key may not use model {model!r} at {endpoint} (HTTP 403)"
            )
        if isinstance(error, openai.NotFoundError):
            return ModelConfigError(
                f"model {model!r} was not found at {endpoint} (HTTP 404); check --model / "
                "FIXLOOP_MODEL and --base-url"
            )
        if (
            isinstance(error, openai.APIStatusError)
            and error.status_code < 500
            and error.status_code != 429
        ):
            detail = self._redact(str(getattr(error, "message", error)))[:300]
            return ModelUnavailableError(
                f"the endpoint {endpoint} refused the request (HTTP {error.status_code}): {detail}"
            )
        return None

    def _give_up(self, error: Exception, attempts: int) -> Exception:
        endpoint = self._endpoint
        if isinstance(error, openai.APITimeoutError):
            return ModelUnavailableError(
                f"the model at {endpoint} did not answer within {self._limits.request_timeout:g} s "
                f"({attempts} attempts)"
            )
        if isinstance(error, openai.APIConnectionError):
            return ModelConfigError(
                f"cannot reach the model endpoint {endpoint} ({attempts} attempts); check "
                "--base-url / FIXLOOP_BASE_URL and that the server is running"
            )
        if isinstance(error, openai.RateLimitError):
            return ModelUnavailableError(
                f"the endpoint {endpoint} kept rate-limiting the requests (HTTP 429, {attempts} attempts)"
            )
        status = getattr(error, "status_code", "?")
        return ModelUnavailableError(
            f"the endpoint {endpoint} kept failing (HTTP {status}, {attempts} attempts)"
        )

    async def create(
        self,
        messages: Sequence[LLMMessage],
        *,
        tools: Sequence[Any] = [],
        tool_choice: Any = "auto",
        json_output: Any = None,
        extra_create_args: Mapping[str, Any] = {},
        cancellation_token: CancellationToken | None = None,
    ) -> CreateResult:
        attempt = 0
        while True:
            attempt += 1
            started = time.perf_counter()
            try:
                result = await self._inner.create(
                    messages,
                    tools=tools,
                    tool_choice=tool_choice,
                    json_output=json_output,
                    extra_create_args=extra_create_args,
                    cancellation_token=cancellation_token,
                )
            except openai.APIError as error:
                self.model_seconds += time.perf_counter() - started
                fatal = self._fatal(error)
                if fatal is not None:
                    raise fatal from None
                wait = self._limits.backoff_base * 2 ** (attempt - 1)
                wait = min(self._limits.backoff_cap, wait) * (1 + random.random() / 4)
                retry_limit = self._limits.max_retries
                if isinstance(error, openai.APIConnectionError) and not isinstance(
                    error, openai.APITimeoutError
                ):
                    retry_limit = min(1, retry_limit)  # a refused connection rarely heals at once
                if isinstance(error, openai.RateLimitError):
                    hinted = _retry_after_seconds(error)
                    if hinted is not None:
                        if hinted > self._limits.retry_after_cap:
                            raise ModelUnavailableError(
                                f"the endpoint {self._endpoint} asks to retry after {hinted:.0f} s "
                                "(HTTP 429); try again later"
                            ) from None
                        wait = hinted
                if attempt > retry_limit or time.monotonic() + wait > self.deadline:
                    raise self._give_up(error, attempt) from None
                self.retries += 1
                log.info(
                    "model call failed (%s); retry %d in %.2f s",
                    type(error).__name__,
                    attempt,
                    wait,
                )
                await asyncio.sleep(wait)
                continue
            self.model_seconds += time.perf_counter() - started
            self.last_result = result
            return result

    def create_stream(self, *args: Any, **kwargs: Any) -> Any:
        return self._inner.create_stream(*args, **kwargs)

    async def close(self) -> None:
        pass  # the inner client is shared by the conversations of this event loop

    def actual_usage(self) -> RequestUsage:
        return self._inner.actual_usage()

    def total_usage(self) -> RequestUsage:
        return self._inner.total_usage()

    def count_tokens(self, messages: Sequence[LLMMessage], *, tools: Sequence[Any] = []) -> int:
        return self._inner.count_tokens(messages, tools=tools)

    def remaining_tokens(self, messages: Sequence[LLMMessage], *, tools: Sequence[Any] = []) -> int:
        return self._inner.remaining_tokens(messages, tools=tools)

    @property
    def capabilities(self) -> ModelCapabilities:  # type: ignore[override]
        return self._inner.capabilities

    @property
    def model_info(self) -> ModelInfo:
        return self._inner.model_info


def check_config(config: ModelConfig) -> None:
    """Raise `ModelConfigError` when the configuration cannot possibly work."""
    if not config.model:
        raise ModelConfigError(f"no model is configured: {HOW_TO_CONFIGURE}")
    if not config.api_key and not config.base_url:
        raise ModelConfigError(
            "no API key for the OpenAI endpoint: set FIXLOOP_API_KEY or OPENAI_API_KEY "
            "(or point --base-url at a local server such as Ollama)"
        )
    if config.base_url and not config.base_url.startswith(("http://", "https://")):
        raise ModelConfigError(
            f"--base-url must start with http:// or https://, got {config.base_url!r}"
        )


# One OpenAI client per event loop and endpoint: creating one loads the CA bundle (tens of ms)
# and opens fresh connections, which a server running many conversations should pay only once.
_SHARED_CLIENTS: weakref.WeakKeyDictionary[
    asyncio.AbstractEventLoop, dict[tuple[Any, ...], OpenAIChatCompletionClient]
] = weakref.WeakKeyDictionary()


def _shared_inner(config: ModelConfig, limits: ModelLimits) -> OpenAIChatCompletionClient:
    try:
        loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
    except RuntimeError:
        loop = None
    key = (config.model, config.base_url, config.api_key, limits.request_timeout)
    cache = _SHARED_CLIENTS.setdefault(loop, {}) if loop is not None else {}
    inner = cache.get(key)
    if inner is None:
        inner = OpenAIChatCompletionClient(
            model=config.model,
            base_url=config.base_url or "https://api.openai.com/v1",
            # Local servers (Ollama, llama.cpp) ignore the key but the client requires one.
            api_key=config.api_key or "unused",
            timeout=limits.request_timeout,
            max_retries=0,  # _RetryingClient owns the retry policy
            model_info=model_info_for(config.model),
        )
        cache[key] = inner
    return inner


def retrying_client(config: ModelConfig, limits: ModelLimits | None = None) -> _RetryingClient:
    """The AutoGen chat client fixloop uses: OpenAIChatCompletionClient behind our retry policy."""
    check_config(config)
    limits = limits or ModelLimits.from_env()
    return _RetryingClient(_shared_inner(config, limits), config, limits)


class ModelConversation:
    """An AssistantAgent conversation: `ask(text)` sends one user turn and returns the answer."""

    def __init__(
        self,
        config: ModelConfig,
        *,
        system_message: str,
        limits: ModelLimits | None = None,
        name: str = "fixloop",
    ) -> None:
        self.config = config
        self.limits = limits or ModelLimits.from_env()
        self._client = retrying_client(config, self.limits)
        self._agent = AssistantAgent(
            name,
            model_client=self._client,
            system_message=system_message,
            model_context=SummarisedAnswers(),
        )
        self.prompt_tokens = 0
        self.completion_tokens = 0
        self.turns = 0

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    @property
    def retries(self) -> int:
        return self._client.retries

    @property
    def model_seconds(self) -> float:
        return self._client.model_seconds

    def cost_usd(self) -> float:
        prompt_price, completion_price = price_per_mtok(self.config.model)
        return (self.prompt_tokens * prompt_price + self.completion_tokens * completion_price) / 1e6

    def over_token_budget(self) -> bool:
        return self.tokens >= self.limits.token_budget

    async def ask(self, text: str, *, deadline: float = float("inf")) -> ModelAnswer:
        """Send `text` as the next user turn; no retry starts after monotonic `deadline`."""
        self._client.deadline = deadline
        token = CancellationToken()
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise ModelBudgetExhausted("the wall-time budget ran out before the model was asked")
        try:
            response = await asyncio.wait_for(
                self._agent.on_messages([TextMessage(content=text, source="user")], token),
                None if remaining == float("inf") else remaining,
            )
        except asyncio.TimeoutError:
            token.cancel()
            raise ModelBudgetExhausted(
                "the wall-time budget ran out while waiting for the model"
            ) from None
        except asyncio.CancelledError:
            token.cancel()  # stops the in-flight HTTP request too
            raise
        self.turns += 1
        result = self._client.last_result
        usage = result.usage if result is not None else RequestUsage(0, 0)
        self.prompt_tokens += usage.prompt_tokens
        self.completion_tokens += usage.completion_tokens
        content = getattr(response.chat_message, "content", "")
        return ModelAnswer(
            text=content if isinstance(content, str) else str(content),
            finish_reason=str(result.finish_reason) if result is not None else "unknown",
            prompt_tokens=usage.prompt_tokens,
            completion_tokens=usage.completion_tokens,
        )

    async def close(self) -> None:
        await self._client.close()
