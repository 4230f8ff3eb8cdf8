from prog import total_with_tax

def test_tax():
    assert total_with_tax([10, 10], 0.5) == 30
