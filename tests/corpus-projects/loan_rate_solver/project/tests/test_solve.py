import json
from pathlib import Path

import pytest

from loancalc.payment import monthly_payment
from loancalc.solve import NoSolution, implied_rate

OFFERS = json.loads((Path(__file__).parent / "data" / "offers.json").read_text())


@pytest.mark.solver
@pytest.mark.parametrize("offer", OFFERS, ids=lambda o: f"{o['principal']}-{o['months']}m")
def test_rate_of_an_offer(offer):
    rate = implied_rate(offer["principal"], offer["payment"], offer["months"])
    # Payments are rounded to cents, so the rate is only known to about two decimals of a percent.
    assert rate == pytest.approx(offer["rate"], abs=2e-4)


@pytest.mark.solver
def test_interest_free():
    assert implied_rate(1200, 100, 12) == 0.0


@pytest.mark.solver
def test_payment_too_small():
    with pytest.raises(NoSolution):
        implied_rate(1000, 10, 12)


def test_payment_formula():
    assert monthly_payment(10000, 0.05, 36) == pytest.approx(299.71, abs=0.005)
