from prog import largest

def test_middle():
    assert largest([1, 9, 2]) == 9

def test_last():
    assert largest([1, 2, 30]) == 30

def test_single():
    assert largest([4]) == 4
