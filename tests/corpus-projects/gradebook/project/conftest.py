import json
from pathlib import Path

import pytest

import gradebook.letters


def pytest_addoption(parser):
    parser.addoption("--scale", default="us", choices=sorted(gradebook.letters.SCALES),
                     help="letter scale the tests expect")


def pytest_configure(config):
    # The application reads the scale from its settings; tests pick it on the command line.
    gradebook.letters.SCALE = config.getoption("--scale")


@pytest.fixture(scope="session")
def roster():
    path = Path(__file__).parent / "tests" / "data" / "roster.json"
    return json.loads(path.read_text(encoding="utf-8"))
