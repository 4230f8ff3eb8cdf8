"""Errors of the model layer, split by what the user must do about them.

`ModelConfigError` means the model cannot be used as configured (no model name, a rejected key,
an unknown model, an endpoint that does not answer): the CLI maps it to exit code 2 and the
message says how to fix the configuration. `ModelUnavailableError` means the endpoint answered
but kept failing (rate limits, server errors, timeouts) after bounded retries: the loop stops the
model engine and reports why. Messages never contain the API key.
"""

from __future__ import annotations


class ModelError(RuntimeError):
    """Base class: a model call failed; `str(error)` is a message for the user."""


class ModelConfigError(ModelError):
    """The model is not configured, or its configuration is rejected by the endpoint."""


class ModelUnavailableError(ModelError):
    """The endpoint kept failing after bounded retries (429, 5xx, timeouts)."""


class ModelBudgetExhausted(ModelError):
    """The wall-time budget ran out while waiting for the model."""


HOW_TO_CONFIGURE = (
    "configure a model with --model NAME (or FIXLOOP_MODEL), --base-url URL for a non-OpenAI "
    "endpoint (or FIXLOOP_BASE_URL / OPENAI_BASE_URL), and the key in FIXLOOP_API_KEY or "
    "OPENAI_API_KEY"
)
