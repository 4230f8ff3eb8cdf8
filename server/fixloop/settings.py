"""One settings schema for the CLI, the language server and the VS Code client.

`Settings` mirrors `contributes.configuration` in package.json one to one (camelCase keys there,
snake_case fields here). `Settings.from_mapping` validates untrusted input (initializationOptions,
workspace/configuration) field by field: an invalid value is reported in `problems` and replaced
by its default, never raised, so a bad setting cannot stop the server. The API key is
deliberately absent: it only ever comes from the process environment (see `model_config`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from fixloop.sandbox.images import DEFAULT_DOCKER_IMAGE

ENGINES = ("auto", "offline", "llm")
SANDBOXES = ("auto", "local", "bwrap", "docker")


@dataclass(frozen=True, kw_only=True)
class Settings:
    engine: str = "auto"
    sandbox: str = "auto"
    python: str = ""  # interpreter for user code; "" means the one running fixloop
    timeout: float = 10.0  # wall seconds per sandbox run
    memory: int = 1024  # MiB per sandbox run
    budget: float = 60.0  # seconds per repair loop
    max_turns: int = 6
    model: str = ""
    base_url: str = ""
    test_command: str = ""
    run_on_save: bool = False
    network: bool = False
    docker_image: str = DEFAULT_DOCKER_IMAGE
    allow_shell: bool = False

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any] | None) -> tuple[Settings, list[str]]:
        """Build settings from camelCase or snake_case keys; return (settings, problems)."""
        problems: list[str] = []
        values: dict[str, Any] = {}
        if raw is None:
            return cls(), problems
        if not isinstance(raw, Mapping):
            return cls(), [f"settings must be an object, got {type(raw).__name__}"]
        known = {f.name for f in fields(cls)}
        for key, value in raw.items():
            name = _snake(str(key))
            if name not in known:
                continue  # unknown keys are ignored: clients send whole sections
            if value is None:
                continue
            error = _validate(name, value)
            if error:
                default = getattr(cls(), name)
                problems.append(f"fixloop.{key}: {error}; using the default {default!r}")
                continue
            values[name] = _coerce(name, value)
        return cls(**values), problems


def _snake(key: str) -> str:
    out = []
    for ch in key:
        if ch.isupper():
            out.append("_")
            out.append(ch.lower())
        else:
            out.append(ch)
    return "".join(out)


def _validate(name: str, value: Any) -> str | None:
    if name == "engine" and value not in ENGINES:
        return f"must be one of {', '.join(ENGINES)}"
    if name == "sandbox" and value not in SANDBOXES:
        return f"must be one of {', '.join(SANDBOXES)}"
    if name in ("timeout", "budget"):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
            return "must be a positive number of seconds"
        if value > 24 * 3600:
            return "must be at most one day"
    if name in ("memory", "max_turns"):
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            return "must be a positive integer"
        if name == "memory" and value < 16:
            return "must be at least 16 MiB"
    if name in ("run_on_save", "network", "allow_shell") and not isinstance(value, bool):
        return "must be true or false"
    if name in ("python", "model", "base_url", "test_command", "docker_image"):
        if not isinstance(value, str):
            return "must be a string"
        if "\x00" in value or len(value) > 4096:
            return "must be a short string without NUL"
    if name == "docker_image" and not value:
        return "must not be empty"
    return None


def _coerce(name: str, value: Any) -> Any:
    if name in ("timeout", "budget"):
        return float(value)
    return value


@dataclass(frozen=True)
class ModelConfig:
    """Where the model lives. `api_key` comes from the environment only and is never printed."""

    model: str
    base_url: str | None
    api_key: str | None = field(default=None, repr=False)

    @property
    def configured(self) -> bool:
        return bool(self.model)


def model_config(settings: Settings, environ: Mapping[str, str] | None = None) -> ModelConfig:
    """Resolve the model from settings, then FIXLOOP_* variables, then OPENAI_* variables."""
    env = os.environ if environ is None else environ
    model = settings.model or env.get("FIXLOOP_MODEL", "")
    base_url = settings.base_url or env.get("FIXLOOP_BASE_URL") or env.get("OPENAI_BASE_URL")
    if environ is None:  # the key may have been moved out of the environment at start-up
        from fixloop.secretenv import model_key

        api_key = model_key()
    else:
        api_key = env.get("FIXLOOP_API_KEY") or env.get("OPENAI_API_KEY")
    return ModelConfig(model=model, base_url=base_url or None, api_key=api_key or None)
