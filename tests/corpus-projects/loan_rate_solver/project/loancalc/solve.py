"""The annual rate implied by a payment: bisection on the payment formula."""

from loancalc.payment import monthly_payment

MAX_RATE = 1.0  # 100 % a year; no offer we check is above it


class NoSolution(ValueError):
    pass


def implied_rate(principal, payment, months, tolerance=1e-7):
    """The annual rate at which `payment` a month repays `principal` in `months`."""
    if payment * months < principal:
        raise NoSolution("the payments never repay the principal")
    if abs(payment * months - principal) < tolerance:
        return 0.0
    if monthly_payment(principal, MAX_RATE, months) < payment:
        raise NoSolution("the implied rate is above 100 % a year")
    low, high = 0.0, MAX_RATE
    while True:
        mid = (low + high) / 2
        difference = monthly_payment(principal, mid, months) - payment
        if abs(difference) < tolerance:
            return mid
        # A higher rate means a higher payment: move the bracket towards the payment asked for.
        if difference < 0:
            high = mid
        else:
            low = mid
