"""Settings from untrusted input, structured by cattrs against the schema in package.json.

package.json's `contributes.configuration` defines every setting; `fixloop.settings_schema` is
generated from it (scripts/generate_settings.py) and holds the frozen `Settings` dataclass and
each setting's type, enum and bounds. `structure_settings` accepts camelCase or snake_case keys
from initializationOptions, workspace/configuration or the CLI and structures them with a cattrs
converter whose per-field hooks enforce that schema. An invalid value is reported as a problem
and replaced by its default, never raised, so a bad setting cannot stop the server. The API key
is deliberately absent: it only ever comes from the process environment (see `model_config`).
"""

from __future__ import annotations

import functools
import math
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fixloop.setting_spec import SettingSpec

if TYPE_CHECKING:
    from cattrs import Converter
from fixloop.settings_schema import (
    ENGINE_CHOICES,
    SANDBOX_CHOICES,
    SPECS,
    Settings,
)

__all__ = [
    "ENGINES",
    "SANDBOXES",
    "ModelConfig",
    "Settings",
    "model_config",
    "structure_settings",
]

ENGINES = ENGINE_CHOICES
SANDBOXES = SANDBOX_CHOICES
_SPEC_BY_NAME = {spec.name: spec for spec in SPECS}


class SettingError(ValueError):
    """A value that breaks its setting's schema; the message completes "fixloop.<key> ..."."""


def _checked_type(spec: SettingSpec, value: Any) -> Any:
    """The value if its JSON type is the setting's (no coercion: "10" is not a number)."""
    if spec.type == "boolean":
        if not isinstance(value, bool):
            raise SettingError("must be true or false")
        return value
    if spec.type == "string":
        if not isinstance(value, str):
            raise SettingError("must be a string")
        # A NUL byte would cut the value short in every argv and environment it reaches.
        if "\x00" in value:
            raise SettingError("must not contain a NUL character")
        return value
    # JSON has no separate bool for numbers; Python's bool is an int, which is not meant here.
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise SettingError("must be a number" if spec.type == "number" else "must be an integer")
    if not math.isfinite(value):
        raise SettingError("must be a finite number")
    if spec.type == "integer":
        if not float(value).is_integer():
            raise SettingError("must be an integer")
        return int(value)
    return float(value)


def _checked_bounds(spec: SettingSpec, value: Any) -> None:
    if spec.enum is not None and value not in spec.enum:
        raise SettingError(f"must be one of {', '.join(spec.enum)}")
    if spec.minimum is not None and value < spec.minimum:
        raise SettingError(f"must be at least {spec.minimum:g}")
    if spec.maximum is not None and value > spec.maximum:
        raise SettingError(f"must be at most {spec.maximum:g}")
    if spec.min_length is not None and len(value) < spec.min_length:
        raise SettingError("must not be empty" if spec.min_length == 1 else "is too short")
    if spec.max_length is not None and len(value) > spec.max_length:
        raise SettingError(f"must be at most {spec.max_length} characters")


def _field_hook(spec: SettingSpec) -> Callable[[Any, Any], Any]:
    def structure(value: Any, _type: Any) -> Any:
        checked = _checked_type(spec, value)
        _checked_bounds(spec, checked)
        return checked

    return structure


@functools.cache
def _converter() -> Converter:
    """Built on first use: importing `Settings` (most modules) needs neither cattrs nor its cost."""
    from cattrs import Converter
    from cattrs.gen import make_dict_structure_fn, override

    converter = Converter(detailed_validation=True, forbid_extra_keys=False)
    # Typed as Any: cattrs declares its keyword options and the per-field overrides in one **kwargs.
    hooks: dict[str, Any] = {spec.name: override(struct_hook=_field_hook(spec)) for spec in SPECS}
    converter.register_structure_hook(
        Settings, make_dict_structure_fn(Settings, converter, **hooks)
    )
    return converter


def _snake(key: str) -> str:
    return re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), key)


def structure_settings(raw: Mapping[str, Any] | None) -> tuple[Settings, list[str]]:
    """Build settings from camelCase or snake_case keys; return (settings, problems).

    Unknown keys are ignored (clients send whole sections) and None means "not set". Each
    invalid value becomes one problem and its field keeps the default; the others still apply.
    """
    if raw is None:
        return Settings(), []
    if not isinstance(raw, Mapping):
        return Settings(), [f"settings must be an object, got {type(raw).__name__}"]
    given: dict[str, Any] = {}
    spelled: dict[str, str] = {}  # field name -> the key as the user wrote it
    for key, value in raw.items():
        name = _snake(str(key))
        if name in _SPEC_BY_NAME and value is not None:
            given[name] = value
            spelled[name] = str(key)
    from cattrs.errors import ClassValidationError

    problems: list[str] = []
    # Every round drops the fields cattrs rejected, so this ends within len(SPECS) + 1 rounds.
    for _ in range(len(SPECS) + 1):
        try:
            return _converter().structure(given, Settings), problems
        except ClassValidationError as error:
            failed, _other = error.group_exceptions()
            if not failed:
                raise
            for cause, note in failed:
                name = str(note.name)
                given.pop(name, None)
                reason = str(cause) if isinstance(cause, SettingError) else f"is invalid ({cause})"
                default = _SPEC_BY_NAME[name].default
                problems.append(f"fixloop.{spelled[name]}: {reason}; using the default {default!r}")
    raise AssertionError("settings structuring did not converge")


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
