"""Hidden checks for missing_quote: other names."""
from prog import greeting


def test_empty_name():
    assert greeting("") == "Hello, !"


def test_long_name():
    assert greeting("Ada Lovelace") == "Hello, Ada Lovelace!"
