"""Hidden checks for weekend: the other weekdays, any case."""
from prog import is_weekend


def test_weekdays():
    assert not any(is_weekend(d) for d in ("tue", "wed", "thu", "fri"))


def test_upper_case():
    assert is_weekend("SUN") and is_weekend("SAT")
