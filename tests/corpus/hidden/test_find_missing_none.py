"""Hidden checks for find_missing_none: a given port is kept, a missing one defaults."""
from prog import default_port


def test_port_zero_is_given():
    assert default_port({"port": 0}) == 0


def test_other_keys():
    assert default_port({"host": "db"}) == 8080


def test_explicit_none_defaults():
    assert default_port({"port": None}) == 8080


def test_another_port():
    assert default_port({"port": 5432}) == 5432
