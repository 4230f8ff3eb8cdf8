"""Hidden checks for is_empty_const: only whitespace, or nothing, is blank."""
from prog import is_blank


def test_empty_string():
    assert is_blank("")


def test_tabs_and_newlines():
    assert is_blank("\t\n ")


def test_single_character():
    assert not is_blank("x")
