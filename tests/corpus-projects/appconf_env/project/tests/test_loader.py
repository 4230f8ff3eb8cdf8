import json

import pytest

from appconf.loader import load
from appconf.schema import ConfigError


def test_profile_comes_from_the_command_line(clean_env):
    assert load()["db_url"] == "sqlite:///:memory:"


def test_file_overrides_defaults(clean_env, tmp_path):
    path = tmp_path / "app.json"
    path.write_text(json.dumps({"workers": 3, "debug": "yes"}))
    settings = load(path, profile="prod")
    assert (settings["workers"], settings["debug"], settings["timeout"]) == (3, True, 10.0)


@pytest.mark.env
def test_environment_overrides_the_file(clean_env, tmp_path):
    path = tmp_path / "app.json"
    path.write_text(json.dumps({"workers": 3}))
    clean_env.setenv("APP_WORKERS", "12")
    assert load(path)["workers"] == 12


@pytest.mark.env
def test_environment_boolean(clean_env):
    clean_env.setenv("APP_DEBUG", "on")
    assert load()["debug"] is True


def test_bad_file(clean_env, tmp_path):
    path = tmp_path / "app.json"
    path.write_text("[1, 2]")
    with pytest.raises(ConfigError):
        load(path)
