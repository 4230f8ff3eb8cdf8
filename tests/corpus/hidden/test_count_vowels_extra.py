"""Hidden checks for count_vowels_extra: each vowel counts once."""
from prog import count_vowels


def test_single_vowel():
    assert count_vowels("a") == 1


def test_upper_case():
    assert count_vowels("AEIOU") == 5


def test_empty():
    assert count_vowels("") == 0
