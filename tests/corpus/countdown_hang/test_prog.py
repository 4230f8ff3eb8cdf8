from prog import triangle

def test_three():
    assert triangle(3) == 6

def test_zero():
    assert triangle(0) == 0
