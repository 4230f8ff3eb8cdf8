"""Hidden checks for textkit_slugs: long titles cut at a word boundary, numbering."""
from textkit.slug import slugify, unique_slug


def test_cut_at_a_word_boundary():
    assert slugify("one two three four", max_length=12) == "one-two"


def test_exact_fit():
    assert slugify("abc def", max_length=7) == "abc-def"


def test_single_long_word_is_cut():
    assert slugify("a" * 80) == "a" * 60


def test_numbering_of_a_multi_word_slug():
    assert unique_slug("Big News", {"big-news"}) == "big-news-2"


def test_digits_are_kept():
    assert slugify("Top 10 of 2023") == "top-10-of-2023"
