"""Hidden checks for invalid_negation: letters and digits only."""
from prog import valid_username


def test_letters_only_and_digits_only():
    assert valid_username("grace")
    assert valid_username("1234")


def test_punctuation_is_refused():
    assert not valid_username("ada!")
    assert not valid_username("a.b")


def test_empty_is_refused():
    assert not valid_username("")
