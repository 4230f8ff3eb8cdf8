from prog import word_count, frequencies, most_common

def test_count():
    assert word_count("One two, three!") == 3

def test_frequencies():
    assert frequencies("a A b") == {"a": 2, "b": 1}

def test_most_common():
    assert most_common("the cat and the hat") == "the"
