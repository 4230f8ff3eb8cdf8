from prog import rate_limited_sum

def test_sum():
    assert rate_limited_sum([1, 2, 3], 0.4) == 6
