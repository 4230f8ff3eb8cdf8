from prog import Point

def test_norm():
    assert Point(3, -4).norm1() == 7

def test_origin():
    assert Point(0, 0).norm1() == 0
