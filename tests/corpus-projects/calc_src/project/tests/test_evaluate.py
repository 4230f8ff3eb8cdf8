import csv
from pathlib import Path

import pytest

from calc.evaluate import evaluate
from calc.parse import FormulaError

with open(Path(__file__).parent / "cases" / "formulas.csv", newline="") as handle:
    FORMULAS = [(row["formula"], float(row["value"])) for row in csv.DictReader(handle, delimiter=";")]


@pytest.mark.parametrize("formula, value", FORMULAS)
def test_formula(formula, value):
    assert evaluate(formula) == value


@pytest.mark.errors
@pytest.mark.parametrize("formula", ["1 +", "(1 + 2", "2 $ 3", "4 / 0", "1 2"])
def test_errors(formula):
    with pytest.raises(FormulaError):
        evaluate(formula)
