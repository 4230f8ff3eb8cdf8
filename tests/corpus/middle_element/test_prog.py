from prog import middle

def test_odd():
    assert middle([1, 2, 3]) == 2

def test_even():
    assert middle([1, 2, 3, 4]) == 3
