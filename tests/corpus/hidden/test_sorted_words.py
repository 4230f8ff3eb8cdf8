"""Hidden checks for sorted_words: sorted lists of other texts."""
from prog import sorted_words


def test_empty():
    assert sorted_words("") == []


def test_one_word():
    assert sorted_words("kiwi") == ["kiwi"]


def test_duplicates_and_case():
    assert sorted_words("b a B a") == ["B", "a", "a", "b"]
