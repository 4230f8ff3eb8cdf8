import os

import pytest

import appconf.env


def pytest_addoption(parser):
    parser.addoption("--profile", default="test", help="configuration profile the tests run under")


def pytest_configure(config):
    appconf.env.ACTIVE_PROFILE = config.getoption("--profile")


@pytest.fixture
def clean_env(monkeypatch):
    """No APP_* variable from the developer's shell leaks into a test."""
    for name in list(os.environ):
        if name.startswith(appconf.env.PREFIX):
            monkeypatch.delenv(name)
    return monkeypatch
