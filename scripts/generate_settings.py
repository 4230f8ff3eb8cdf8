"""Generate the settings code that must agree with package.json and pyproject.toml.

package.json's `contributes.configuration` is the one definition of fixloop's settings: their
names, types, defaults, enums and bounds. The server must also run from the wheel, where no
package.json exists, so this script renders that schema into a committed Python module
(server/fixloop/settings_schema.py: the frozen `Settings` dataclass and one `SettingSpec` per
setting). It also renders the pins of the optional Python packages from pyproject.toml into
client/src/optionalPins.json, which the client's install button uses. `--check` exits non-zero
when either file is stale; tests/test_settings_schema.py runs it, so a change to package.json or
pyproject.toml without a regeneration fails the suite.

Usage: .venv/bin/python scripts/generate_settings.py [--check] (ruff formats the module)
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = ROOT / "package.json"
PYPROJECT = ROOT / "pyproject.toml"
SCHEMA_MODULE = ROOT / "server" / "fixloop" / "settings_schema.py"
PINS_JSON = ROOT / "client" / "src" / "optionalPins.json"

PREFIX = "fixloop."
# Settings only the VS Code client reads (which interpreter starts the server, how much the
# output channel shows); the server never receives them.
CLIENT_ONLY = ("serverPython", "logLevel")
# The optional-dependency groups whose packages the client offers to install.
OPTIONAL_EXTRAS = ("llm", "docker")
PY_TYPES = {"string": "str", "number": "float", "integer": "int", "boolean": "bool"}

HEADER = '''"""The settings schema, generated from package.json by scripts/generate_settings.py.

Do not edit: change `contributes.configuration` in package.json and run
`python scripts/generate_settings.py`. `Settings` holds one field per server setting (the
camelCase key in snake_case) with the manifest's default; `SPECS` carries each setting's type,
enum and bounds, which `fixloop.settings` checks when it structures untrusted input.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from fixloop.setting_spec import SettingSpec
'''


def snake(key: str) -> str:
    return re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), key)


def server_properties(manifest: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    properties = manifest["contributes"]["configuration"]["properties"]
    out = []
    for full_key, prop in properties.items():
        key = full_key.removeprefix(PREFIX)
        if key not in CLIENT_ONLY:
            out.append((key, prop))
    return out


def literal_name(key: str) -> str:
    return key[0].upper() + key[1:] + "Name"


def python_default(prop: dict[str, Any]) -> str:
    value = prop["default"]
    if prop["type"] == "number":
        return repr(float(value))
    return repr(value)


def render_schema(manifest: dict[str, Any]) -> str:
    props = server_properties(manifest)
    lines = [HEADER]
    for key, prop in props:
        if "enum" in prop:
            values = ", ".join(repr(v) for v in prop["enum"])
            choices = values + ("," if len(prop["enum"]) == 1 else "")
            lines.append(f"{literal_name(key)} = Literal[{values}]")
            lines.append(
                f"{snake(key).upper()}_CHOICES: tuple[{literal_name(key)}, ...] = ({choices})"
            )
    lines += ["", "", "@dataclass(frozen=True, kw_only=True)", "class Settings:"]
    lines.append('    """fixloop\'s server settings; see package.json for what each one means."""')
    lines.append("")
    for key, prop in props:
        kind = literal_name(key) if "enum" in prop else PY_TYPES[prop["type"]]
        lines.append(f"    {snake(key)}: {kind} = {python_default(prop)}")
    lines += ["", "", "SPECS: tuple[SettingSpec, ...] = ("]
    for key, prop in props:
        args = [f"key={key!r}", f"name={snake(key)!r}", f"type={prop['type']!r}"]
        args.append(f"default={python_default(prop)}")
        if "enum" in prop:
            args.append(f"enum={tuple(prop['enum'])!r}")
        for source, target in (
            ("minimum", "minimum"),
            ("maximum", "maximum"),
            ("minLength", "min_length"),
            ("maxLength", "max_length"),
        ):
            if source in prop:
                args.append(f"{target}={prop[source]!r}")
        lines.append(f"    SettingSpec({', '.join(args)}),")
    lines.append(")")
    lines.append(f"CLIENT_ONLY_KEYS = {CLIENT_ONLY!r}")
    return "\n".join(lines) + "\n"


def requirement_name(spec: str) -> str:
    match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", spec)
    if not match:
        raise SystemExit(f"generate_settings: cannot read the requirement {spec!r}")
    return match.group(0).lower()


def render_pins(pyproject: dict[str, Any]) -> str:
    extras = pyproject["project"]["optional-dependencies"]
    pins = {requirement_name(spec): spec for extra in OPTIONAL_EXTRAS for spec in extras[extra]}
    return json.dumps(pins, indent=4) + "\n"


def outputs() -> dict[Path, str]:
    try:
        import tomllib
    except ModuleNotFoundError as error:  # Python 3.10
        raise SystemExit("generate_settings: needs Python 3.11+ (tomllib)") from error
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    pyproject = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))
    return {SCHEMA_MODULE: formatted(render_schema(manifest)), PINS_JSON: render_pins(pyproject)}


def formatted(source: str) -> str:
    """The module as `ruff format` leaves it, so the format gate and --check agree."""
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--stdin-filename", str(SCHEMA_MODULE), "-"],
        input=source,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    if result.returncode != 0:
        raise SystemExit(f"generate_settings: ruff format failed: {result.stderr.strip()}")
    return result.stdout


def main(argv: list[str]) -> int:
    check = "--check" in argv
    stale = []
    for path, text in outputs().items():
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        if check:
            stale.append(path.relative_to(ROOT))
        else:
            path.write_text(text, encoding="utf-8")
            print(f"generate_settings: wrote {path.relative_to(ROOT)}", file=sys.stderr)
    if stale:
        names = ", ".join(str(p) for p in stale)
        print(
            f"generate_settings: {names} out of date; run python scripts/generate_settings.py",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
