from prog import distance

def test_forward():
    assert distance(7, 2) == 5

def test_backward():
    assert distance(2, 7) == 5
