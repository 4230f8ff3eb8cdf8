"""The monthly payment of an annuity loan."""


def monthly_payment(principal, annual_rate, months):
    """Constant payment that repays `principal` in `months` at `annual_rate` (0.05 = 5 %)."""
    if months <= 0:
        raise ValueError("a loan lasts at least one month")
    rate = annual_rate / 12
    if rate == 0:
        return principal / months
    return principal * rate / (1 - (1 + rate) ** -months)
