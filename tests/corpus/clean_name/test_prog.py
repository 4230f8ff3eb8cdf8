from prog import clean

def test_clean():
    assert clean("  ada lovelace ") == "Ada Lovelace"

def test_plain():
    assert clean("bob") == "Bob"
