from prog import longest_word

def test_sentence():
    assert longest_word("a quick brown fox") == "quick"

def test_empty():
    assert longest_word("") == ""
