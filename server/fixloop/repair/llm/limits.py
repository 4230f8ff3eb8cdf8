"""Limits and prices of model use: per-call timeouts and retries, the token budget, USD rates.

Plain values with no dependency on the model client, so that settings, benchmarks and reports
can use them without importing openai or autogen. `ModelLimits.from_env` reads the
`FIXLOOP_MODEL_TIMEOUT`, `FIXLOOP_MODEL_RETRIES` and `FIXLOOP_TOKEN_BUDGET` overrides;
`price_per_mtok` knows a few public prices and `FIXLOOP_PRICE="IN,OUT"`.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

# USD per million (prompt, completion) tokens for a few well-known names; unknown models (local
# servers, fine-tunes) count as free unless FIXLOOP_PRICE="IN,OUT" says otherwise.
_PRICES_PER_MTOK = {
    "gpt-4o": (2.5, 10.0),
    "gpt-4o-mini": (0.15, 0.6),
    "gpt-4.1": (2.0, 8.0),
    "gpt-4.1-mini": (0.4, 1.6),
    "gpt-4.1-nano": (0.1, 0.4),
    "o3-mini": (1.1, 4.4),
    "o4-mini": (1.1, 4.4),
}


@dataclass(frozen=True)
class ModelLimits:
    """Per-call and per-conversation limits; `from_env` lets tests and users tune them."""

    request_timeout: float = 60.0
    max_retries: int = 3
    backoff_base: float = 0.5
    backoff_cap: float = 8.0
    retry_after_cap: float = 30.0
    max_answer_chars: int = 40_000
    token_budget: int = 200_000

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ModelLimits:
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for key, name, kind in (
            ("FIXLOOP_MODEL_TIMEOUT", "request_timeout", float),
            ("FIXLOOP_MODEL_RETRIES", "max_retries", int),
            ("FIXLOOP_TOKEN_BUDGET", "token_budget", int),
        ):
            raw = env.get(key)
            if raw:
                try:
                    value = kind(raw)
                except ValueError:
                    log.warning("ignoring %s=%r: not a number", key, raw)
                    continue
                if value >= 0:
                    values[name] = value
        return cls(**values)


def price_per_mtok(name: str, environ: Mapping[str, str] | None = None) -> tuple[float, float]:
    env = os.environ if environ is None else environ
    override = env.get("FIXLOOP_PRICE", "")
    if override:
        try:
            prompt, completion = (float(x) for x in override.split(","))
            return prompt, completion
        except ValueError:
            log.warning("ignoring FIXLOOP_PRICE=%r: expected 'IN,OUT' USD per 1M tokens", override)
    best = ""
    for known in _PRICES_PER_MTOK:
        if name.startswith(known) and len(known) > len(best):
            best = known
    return _PRICES_PER_MTOK.get(best, (0.0, 0.0))
