from prog import is_blank

def test_blank():
    assert is_blank("   ")

def test_word():
    assert not is_blank(" hi ")
