"""Hidden checks for function_name_typo: totals with other rates."""
import pytest

from prog import total_with_tax


def test_no_tax():
    assert total_with_tax([3, 4], 0) == 7


def test_empty_cart():
    assert total_with_tax([], 0.2) == 0


def test_fraction():
    assert total_with_tax([100], 0.25) == pytest.approx(125)
