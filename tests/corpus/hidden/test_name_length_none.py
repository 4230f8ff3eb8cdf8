"""Hidden checks for name_length_none: missing counts as 0, blanks too."""
from prog import name_length


def test_blank():
    assert name_length("   ") == 0


def test_empty():
    assert name_length("") == 0


def test_inner_space_counts():
    assert name_length(" Ada L ") == 5


def test_none_again():
    assert name_length(None) == 0
