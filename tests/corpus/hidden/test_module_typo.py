"""Hidden checks for module_typo: tallies of other word lists."""
from prog import tally


def test_empty():
    assert tally([]) == {}


def test_single_word_repeated():
    assert tally(["x", "x", "x"]) == {"x": 3}
