"""Amortisation schedule: how each payment splits into interest and repayment."""

from dataclasses import dataclass

from loancalc.payment import monthly_payment


@dataclass(frozen=True)
class Row:
    month: int
    interest: float
    repayment: float
    balance: float


def amortisation(principal, annual_rate, months):
    payment = monthly_payment(principal, annual_rate, months)
    balance = principal
    rows = []
    for month in range(1, months + 1):
        interest = balance * annual_rate / 12
        repayment = payment - interest
        balance = max(0.0, balance - repayment)
        rows.append(Row(month, round(interest, 2), round(repayment, 2), round(balance, 2)))
    return rows


def total_interest(principal, annual_rate, months):
    return round(monthly_payment(principal, annual_rate, months) * months - principal, 2)
