"""Hidden checks for loan_rate_solver: round trips at other rates, terms and sizes."""
import pytest

from loancalc.payment import monthly_payment
from loancalc.solve import NoSolution, implied_rate


@pytest.mark.parametrize("rate", [0.001, 0.03, 0.15, 0.45, 0.95])
@pytest.mark.parametrize("months", [1, 18, 360])
def test_round_trip(rate, months):
    payment = monthly_payment(40000, rate, months)
    assert implied_rate(40000, payment, months) == pytest.approx(rate, abs=1e-6)


def test_rate_above_the_maximum():
    with pytest.raises(NoSolution):
        implied_rate(1000, 1000, 2)
