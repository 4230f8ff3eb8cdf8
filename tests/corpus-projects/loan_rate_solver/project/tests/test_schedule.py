from loancalc.schedule import amortisation, total_interest


def test_schedule_ends_at_zero():
    rows = amortisation(5000, 0.06, 12)
    assert len(rows) == 12 and rows[-1].balance == 0


def test_first_month_interest():
    assert amortisation(12000, 0.12, 24)[0].interest == 120.0


def test_total_interest():
    assert total_interest(10000, 0.05, 36) == 789.52
