"""Hidden checks for json_settings_loads: files, empty objects, non-objects, bad JSON."""
import json

import pytest

from prog import DEFAULTS, parse_settings, read_settings


def test_read_from_a_file(tmp_path):
    path = tmp_path / "settings.json"
    path.write_text('{"workers": 8}', encoding="utf-8")
    assert read_settings(path)["workers"] == 8


def test_empty_object_gives_the_defaults():
    assert parse_settings("{}") == DEFAULTS


def test_list_is_refused():
    with pytest.raises(ValueError, match="JSON object"):
        parse_settings("[1, 2]")


def test_broken_json():
    with pytest.raises(json.JSONDecodeError):
        parse_settings('{"debug": tru')


def test_defaults_are_not_modified():
    parse_settings('{"log": {"file": "app.log"}}')
    assert DEFAULTS["log"]["file"] is None
