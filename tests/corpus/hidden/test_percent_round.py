"""Hidden checks for percent_round: rounding to the nearest whole percent, both ways."""
from prog import percent


def test_rounds_down_below_a_half():
    assert percent(1, 3) == 33


def test_rounds_up_above_a_half():
    assert percent(1, 6) == 17
    assert percent(2, 7) == 29


def test_whole_and_nothing():
    assert percent(7, 7) == 100
    assert percent(0, 9) == 0
