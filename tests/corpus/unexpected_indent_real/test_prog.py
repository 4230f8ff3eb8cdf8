from prog import describe

def test_even():
    assert describe(4) == "4 is even"

def test_odd():
    assert describe(3) == "3 is odd"
