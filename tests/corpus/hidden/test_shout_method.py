"""Hidden checks for shout_method: upper case and one exclamation mark."""
from prog import shout


def test_mixed_case():
    assert shout("Hello World") == "HELLO WORLD!"


def test_empty():
    assert shout("") == "!"
