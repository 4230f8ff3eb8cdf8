from prog import describe


def test_count():
    assert describe([4, 1, 3])["count"] == 3


def test_median_odd():
    assert describe([9, 1, 5])["median"] == 5


def test_median_even():
    assert describe([8, 2, 4, 6])["median"] == 5


def test_range():
    assert describe([3, 10, 7])["range"] == 7
