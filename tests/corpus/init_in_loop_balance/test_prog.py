from prog import lowest_point, running_balance


def test_running_balance():
    assert running_balance(100, [10, -30, 5]) == [110, 80, 85]


def test_lowest_point():
    assert lowest_point(50, [-20, -40, 100]) == -10
