from prog import price_of

def test_known():
    assert price_of("pear") == 4

def test_unknown():
    assert price_of("kiwi") == 0
