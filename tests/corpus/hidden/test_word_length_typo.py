"""Hidden checks for word_length_typo: the first of the longest words."""
from prog import longest_word


def test_tie_keeps_the_first():
    assert longest_word("ab cd ef") == "ab"


def test_single_word():
    assert longest_word("extraordinary") == "extraordinary"


def test_longest_last():
    assert longest_word("a bb ccc") == "ccc"
