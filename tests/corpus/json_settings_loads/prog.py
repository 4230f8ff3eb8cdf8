"""Application settings: JSON text from a file or an HTTP response, merged over the defaults."""

import json

DEFAULTS = {"debug": False, "workers": 2, "log": {"level": "info", "file": None}}


def merge(base, override):
    """A copy of base with override applied; nested dicts are merged key by key."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def parse_settings(raw):
    """Settings from the JSON text `raw`, over the defaults."""
    data = json.load(raw)
    if not isinstance(data, dict):
        raise ValueError("settings must be a JSON object")
    return merge(DEFAULTS, data)


def read_settings(path):
    with open(path, encoding="utf-8") as handle:
        return parse_settings(handle.read())
