"""Hidden checks for fahrenheit: other known temperatures."""
import pytest

from prog import to_celsius


def test_minus_forty_is_the_same():
    assert to_celsius(-40) == -40


def test_body_temperature():
    assert to_celsius(98.6) == pytest.approx(37.0)


def test_zero_fahrenheit():
    assert to_celsius(0) == pytest.approx(-17.7778, abs=1e-3)
