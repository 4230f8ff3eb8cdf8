"""Hidden checks for calc_src: long chains, long numbers, decimals, nesting."""
import pytest

from calc.evaluate import evaluate


@pytest.mark.parametrize("formula, value", [
    ("10 - 1 - 1 - 1", 7),
    ("1 - 1 + 1 - 1 + 1", 1),
    ("2 - -2", 4),
    ("123456 + 1", 123457),
    ("0.25 * 40", 10),
    ("3.75 - 1.5 - 0.25", 2),
    ("((1 - 2) - (3 - 4)) * 10", 0),
    ("64 / 4 / 2 / 2", 4),
])
def test_more_formulas(formula, value):
    assert evaluate(formula) == value
