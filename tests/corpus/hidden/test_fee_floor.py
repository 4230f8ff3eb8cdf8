"""Hidden checks for fee_floor: the balance stops at zero, exactly."""
from prog import after_fee


def test_fee_equal_to_balance():
    assert after_fee(5, 5) == 0


def test_just_over():
    assert after_fee(5, 6) == 0


def test_no_fee():
    assert after_fee(8, 0) == 8


def test_large_fee():
    assert after_fee(1, 100) == 0
