"""Hidden checks for appconf_env: exact variable names, every setting, blanks ignored."""
import pytest

from appconf.env import env_overrides, variable_name
from appconf.loader import load


def test_variable_names():
    assert [variable_name(s) for s in ("debug", "db_url")] == ["APP_DEBUG", "APP_DB_URL"]


def test_every_setting_from_the_environment():
    environ = {"APP_DEBUG": "no", "APP_WORKERS": "4", "APP_TIMEOUT": "1.5", "APP_DB_URL": "pg://x"}
    assert env_overrides(environ) == {"debug": False, "workers": 4, "timeout": 1.5, "db_url": "pg://x"}


def test_names_without_the_underscore_are_ignored():
    assert env_overrides({"APPWORKERS": "9", "APPLE": "1"}) == {}


def test_blank_value_is_ignored():
    assert load(environ={"APP_WORKERS": "  "}, profile="prod")["workers"] == 8


def test_explicit_environment_wins():
    settings = load(environ={"APP_TIMEOUT": "0.25"}, profile="dev")
    assert settings["timeout"] == pytest.approx(0.25)
