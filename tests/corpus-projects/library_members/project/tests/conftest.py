import json
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def catalogue():
    """ISBNs of the library's books (loaded once per session)."""
    return json.loads((Path(__file__).parent / "catalogue.json").read_text())


@pytest.fixture
def member_file(tmp_path):
    path = tmp_path / "members.json"
    yield path
    # A save must never leave temporary files next to the member file.
    leftovers = [p.name for p in tmp_path.iterdir() if p.name != "members.json"]
    assert leftovers == []
