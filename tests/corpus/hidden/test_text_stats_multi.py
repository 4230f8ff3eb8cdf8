"""Hidden checks for text_stats_multi: the most frequent word."""
from prog import frequencies, most_common, word_count


def test_most_common_at_the_end():
    assert most_common("a b c c") == "c"


def test_single_word():
    assert most_common("hello") == "hello"


def test_count_and_frequencies_of_punctuated_text():
    assert word_count("Hi! hi?") == 2
    assert frequencies("Hi! hi?") == {"hi": 2}
