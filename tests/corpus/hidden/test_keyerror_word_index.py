"""Hidden checks for keyerror_word_index: repeated words, unknown words, empty input."""
from prog import build_index, lookup


def test_word_repeated_on_a_line_counts_once():
    assert build_index(["go go go", "stop"])["go"] == [1]


def test_unknown_word():
    assert lookup(build_index(["alpha beta"]), "gamma") == []


def test_empty_document():
    assert dict(build_index([])) == {}


def test_apostrophes():
    assert build_index(["don't panic"])["don't"] == [1]
