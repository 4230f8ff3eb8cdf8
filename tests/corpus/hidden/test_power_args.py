"""Hidden checks for power_args: base first, exponent second."""
from prog import power


def test_exponent_zero_and_one():
    assert power(7, 0) == 1
    assert power(7, 1) == 7


def test_larger():
    assert power(2, 10) == 1024
    assert power(10, 2) == 100
