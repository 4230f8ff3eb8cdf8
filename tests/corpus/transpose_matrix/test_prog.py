from prog import transpose

def test_square():
    assert transpose([[1, 2], [3, 4]]) == [[1, 3], [2, 4]]
