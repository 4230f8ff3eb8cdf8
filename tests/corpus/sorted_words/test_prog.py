from prog import sorted_words

def test_sorted():
    assert sorted_words("pear apple fig") == ["apple", "fig", "pear"]
