from prog import tail_sum

def test_tail():
    assert tail_sum([100, 1, 2]) == 3

def test_single():
    assert tail_sum([5]) == 0
