from prog import truncate

def test_cut():
    assert truncate("abcdef", 3) == "abc"

def test_short():
    assert truncate("ab", 5) == "ab"
