"""Hidden checks for init_in_loop_balance: one movement, none, and the overdrawn days."""
from prog import overdrawn_days, running_balance


def test_single_and_empty():
    assert running_balance(10, [-4]) == [6]
    assert running_balance(10, []) == []


def test_cents():
    assert running_balance(0.1, [0.2, 0.3]) == [0.3, 0.6]


def test_overdrawn_days():
    assert overdrawn_days(20, [-15, -10, 30, -50]) == [2, 4]
