"""Settings as they reach the server: initializationOptions, workspace/configuration, didChange.

Clients send the "fixloop" section in different wrappings: VS Code extensions built on the
python-tools template put it under `settings`, others send the section itself or a whole
configuration object with a "fixloop" key. `settings_section` finds the section in all of
these; `structure_settings` validates it and reports problems instead of raising.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fixloop.settings import Settings, structure_settings

SECTION = "fixloop"


def settings_section(raw: Any) -> Mapping[str, Any] | None:
    """The fixloop settings object inside whatever wrapper the client used, if any."""
    if not isinstance(raw, Mapping):
        return None
    for key in ("settings", SECTION):
        inner = raw.get(key)
        if isinstance(inner, Mapping):
            return settings_section(inner) or inner
    return raw


def parse_settings(raw: Any) -> tuple[Settings, list[str]]:
    section = settings_section(raw)
    if raw is not None and section is None:
        return Settings(), [f"fixloop settings must be an object, got {type(raw).__name__}"]
    return structure_settings(section)
