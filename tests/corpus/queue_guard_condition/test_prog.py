from prog import drain

def test_some():
    assert drain([1, 2, 3], 2) == [1, 2]

def test_short_queue():
    assert drain([1], 3) == [1]
