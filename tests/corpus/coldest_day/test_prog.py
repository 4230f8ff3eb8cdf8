from prog import coldest

def test_coldest():
    assert coldest([3, -2, 8]) == -2
