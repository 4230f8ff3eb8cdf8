from prog import unique

def test_unique():
    assert unique([1, 2, 1, 3, 2]) == [1, 2, 3]
