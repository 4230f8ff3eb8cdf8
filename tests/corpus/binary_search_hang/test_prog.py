from prog import find

def test_found():
    assert find([1, 3, 5, 7, 9], 7) == 3

def test_missing():
    assert find([1, 3, 5], 4) == -1

def test_first():
    assert find([1, 3, 5], 1) == 0
