from prog import count_over

def test_some():
    assert count_over([1, 5, 9], 4) == 2

def test_none():
    assert count_over([], 4) == 0
