from stats import mean


def test_mean():
    assert mean([12.5, 30.0, 7.5]) == 50.0 / 3


def test_mean_of_no_orders_is_zero():
    assert mean([]) == 0.0
