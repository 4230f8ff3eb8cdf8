from prog import elapsed

def test_elapsed():
    assert elapsed(10, 25) == 15

def test_zero():
    assert elapsed(5, 5) == 0
