from prog import power

def test_square():
    assert power(3, 2) == 9

def test_cube():
    assert power(2, 3) == 8
