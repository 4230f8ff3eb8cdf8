from prog import hypotenuse

def test_345():
    assert hypotenuse(3, 4) == 5
