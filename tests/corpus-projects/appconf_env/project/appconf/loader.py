"""Merge the layers: profile defaults < JSON file < environment."""

import json
import os

from appconf import env
from appconf.schema import ConfigError, coerce

PROFILES = {
    "dev": {"debug": True, "workers": 1, "timeout": 30.0, "db_url": "sqlite:///dev.db"},
    "test": {"debug": False, "workers": 1, "timeout": 5.0, "db_url": "sqlite:///:memory:"},
    "prod": {"debug": False, "workers": 8, "timeout": 10.0, "db_url": ""},
}


def read_file(path):
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a JSON object")
    return {name: coerce(name, value) for name, value in data.items()}


def load(path=None, environ=None, profile=None):
    profile = profile or env.ACTIVE_PROFILE
    if profile not in PROFILES:
        raise ConfigError(f"unknown profile {profile!r}")
    settings = dict(PROFILES[profile])
    if path is not None:
        settings.update(read_file(path))
    settings.update(env.env_overrides(os.environ if environ is None else environ))
    return settings
