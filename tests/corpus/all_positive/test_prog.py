from prog import all_positive

def test_mixed():
    assert not all_positive([1, -2, 3])

def test_positive():
    assert all_positive([1, 2, 3])
