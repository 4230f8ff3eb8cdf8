"""One settings schema: package.json's `contributes.configuration` and the server agree.

The parity test reads the manifest and the `Settings` dataclass independently (field names,
annotated types, defaults) and the bounds the server enforces by feeding values just inside and
just outside them, so it fails when either side drifts, whether or not the generated module was
regenerated. The staleness test runs the generator's --check, which also covers the optional
package pins the client reads (generated from pyproject.toml).
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import typing
from dataclasses import MISSING, fields
from pathlib import Path
from typing import Any

import pytest
import tomllib
from fixloop.lsp.config import parse_settings
from fixloop.sandbox.images import DEFAULT_DOCKER_IMAGE
from fixloop.settings import Settings, structure_settings

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))
PROPERTIES: dict[str, dict[str, Any]] = MANIFEST["contributes"]["configuration"]["properties"]
CLIENT_ONLY = {"serverPython", "logLevel"}
JSON_TYPES = {str: "string", float: "number", int: "integer", bool: "boolean"}


def snake(key: str) -> str:
    return "".join("_" + ch.lower() if ch.isupper() else ch for ch in key)


def server_properties() -> dict[str, dict[str, Any]]:
    out = {}
    for full_key, prop in PROPERTIES.items():
        key = full_key.removeprefix("fixloop.")
        if key not in CLIENT_ONLY:
            out[key] = prop
    return out


def test_generated_files_are_up_to_date() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "generate_settings.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


def test_every_setting_has_the_same_name_type_default_and_enum_on_both_sides() -> None:
    props = server_properties()
    hints = typing.get_type_hints(Settings)
    dataclass_fields = {f.name: f for f in fields(Settings)}
    assert sorted(dataclass_fields) == sorted(snake(key) for key in props)
    for key, prop in props.items():
        name = snake(key)
        hint = hints[name]
        default = dataclass_fields[name].default
        assert default is not MISSING, name
        if typing.get_origin(hint) is typing.Literal:
            assert list(typing.get_args(hint)) == prop["enum"], key
            assert prop["type"] == "string", key
        else:
            assert JSON_TYPES[hint] == prop["type"], key
            assert "enum" not in prop, key
        assert type(default) is type(prop["default"]) or prop["type"] == "number", key
        assert default == prop["default"], key
        assert prop.get("description"), f"fixloop.{key} has a description"
    assert not any("key" in k.lower() or "secret" in k.lower() for k in PROPERTIES)


def test_the_docker_image_default_is_the_sandbox_default() -> None:
    assert Settings().docker_image == DEFAULT_DOCKER_IMAGE


def just_outside(value: float, kind: str, direction: int) -> float:
    step = 1 if kind == "integer" else max(abs(value) * 1e-9, 1e-9)
    return value + direction * step


@pytest.mark.parametrize("key", sorted(server_properties()))
def test_the_server_enforces_each_settings_bounds_and_enum(key: str) -> None:
    """Minimum, maximum, lengths and enum of the manifest, checked through the real parser."""
    prop = server_properties()[key]
    name = snake(key)
    default = getattr(Settings(), name)
    checked = 0
    for bound, direction in (("minimum", -1), ("maximum", 1)):
        if bound in prop:
            edge = prop[bound]
            inside, problems = structure_settings({key: edge})
            assert problems == [] and getattr(inside, name) == edge, (key, bound)
            outside = just_outside(edge, prop["type"], direction)
            settings, problems = structure_settings({key: outside})
            assert getattr(settings, name) == default and len(problems) == 1, (key, bound)
            assert problems[0].startswith(f"fixloop.{key}: must be at")
            checked += 1
    if "maxLength" in prop:
        settings, problems = structure_settings({key: "x" * (prop["maxLength"] + 1)})
        assert getattr(settings, name) == default and len(problems) == 1
        assert structure_settings({key: "x" * prop["maxLength"]})[1] == []
        checked += 1
    if prop.get("minLength") == 1:
        settings, problems = structure_settings({key: ""})
        assert getattr(settings, name) == default and problems == [
            f"fixloop.{key}: must not be empty; using the default {default!r}"
        ]
        checked += 1
    if "enum" in prop:
        for choice in prop["enum"]:
            assert getattr(structure_settings({key: choice})[0], name) == choice
        settings, problems = structure_settings({key: "nonsense"})
        assert getattr(settings, name) == default
        assert problems == [
            f"fixloop.{key}: must be one of {', '.join(prop['enum'])}; using the default {default!r}"
        ]
        checked += 1
    # A setting without bounds still rejects the wrong JSON type.
    wrong = "ten" if prop["type"] != "string" else 10
    settings, problems = structure_settings({key: wrong})
    assert getattr(settings, name) == default and len(problems) == 1, key
    assert checked or prop["type"] in ("string", "boolean"), f"{key} has no bounds to check"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"memory": True}, "fixloop.memory: must be an integer; using the default 1024"),
        ({"memory": 64.5}, "fixloop.memory: must be an integer; using the default 1024"),
        ({"timeout": math.nan}, "fixloop.timeout: must be a finite number; using the default 10.0"),
        ({"timeout": "10"}, "fixloop.timeout: must be a number; using the default 10.0"),
        ({"runOnSave": "yes"}, "fixloop.runOnSave: must be true or false; using the default False"),
        (
            {"model": "gpt\x00"},
            "fixloop.model: must not contain a NUL character; using the default ''",
        ),
        ({"max_turns": 0}, "fixloop.max_turns: must be at least 1; using the default 6"),
    ],
)
def test_bad_values_become_problems_and_defaults(raw: dict[str, Any], message: str) -> None:
    settings, problems = structure_settings(raw)
    assert problems == [message]
    assert settings == Settings()


def test_good_values_apply_beside_bad_ones_and_numbers_are_normalised() -> None:
    settings, problems = parse_settings(
        {"settings": {"timeout": 5, "memory": 2048.0, "engine": "llm", "budget": -3, "sandbox": []}}
    )
    assert settings.timeout == 5.0 and isinstance(settings.timeout, float)
    assert settings.memory == 2048 and isinstance(settings.memory, int)
    assert settings.engine == "llm"
    assert (settings.budget, settings.sandbox) == (60.0, "auto")
    # Problems come in the schema's order, whatever order the keys arrived in.
    assert [p.split(":")[0] for p in problems] == ["fixloop.sandbox", "fixloop.budget"]
    # Unknown keys and None (unset) are not problems.
    assert structure_settings({"serverPython": "/x", "unknown": 1, "model": None}) == (
        Settings(),
        [],
    )
    assert structure_settings(["a"])[1] == ["settings must be an object, got list"]  # type: ignore[arg-type]


def test_optional_package_pins_are_pyproject_pins() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    extras = pyproject["project"]["optional-dependencies"]
    pins = json.loads((ROOT / "client" / "src" / "optionalPins.json").read_text(encoding="utf-8"))
    assert sorted(pins.values()) == sorted(extras["llm"] + extras["docker"])
    assert pins["openai"].startswith("openai") and pins["docker"].startswith("docker")
