"""Hidden checks for import_name_typo: the root mean square of other lists."""
import pytest

from prog import root_mean_square


def test_mixed_signs():
    assert root_mean_square([-4, 4]) == 4


def test_three_four():
    assert root_mean_square([3, 4]) == pytest.approx((12.5) ** 0.5)


def test_single():
    assert root_mean_square([2]) == 2
