"""Hidden checks for clean_name: surrounding whitespace goes, inner words are titled."""
from prog import clean


def test_tabs_and_newlines():
    assert clean("\tgrace hopper\n") == "Grace Hopper"


def test_leading_space_only():
    assert clean(" alan") == "Alan"


def test_empty():
    assert clean("   ") == ""
