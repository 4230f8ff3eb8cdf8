"""Hidden checks for kwarg_max_key: ties, upper case, punctuation, empty text."""
from prog import longest_word, wrap_width


def test_tie_keeps_the_first():
    assert longest_word("bear lion wolf") == "bear"


def test_length_not_alphabet():
    assert longest_word("zoo elephant") == "elephant"
    assert longest_word("Zebra ant") == "Zebra"


def test_empty_and_short():
    assert longest_word("   ") == ""
    assert wrap_width("tiny words") == 20
