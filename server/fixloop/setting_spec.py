"""What package.json declares about one setting, as the generated `settings_schema` lists it.

A leaf module so that the generated schema and the code that enforces it share one definition.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class SettingSpec:
    """One setting as package.json declares it."""

    key: str  # camelCase, as in package.json without the "fixloop." prefix
    name: str  # the `Settings` field
    type: Literal["string", "number", "integer", "boolean"]
    default: str | float | int | bool
    enum: tuple[str, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None
    min_length: int | None = None
    max_length: int | None = None
