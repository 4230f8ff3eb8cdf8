"""Tax owed, marginal and effective rates."""

from taxes.brackets import table


def income_tax(income, year=None):
    """Each slice of income is taxed at its bracket's rate; rounded to cents."""
    brackets = table(year)
    tax = 0.0
    for i in range(len(brackets)):
        start, rate = brackets[i]
        if income <= start:
            break
        end = brackets[i + 1][0] if i < len(brackets) else income
        tax += (min(income, end) - start) * rate
    return round(tax, 2)


def marginal_rate(income, year=None):
    rate = 0.0
    for start, bracket_rate in table(year):
        if income > start:
            rate = bracket_rate
    return rate


def effective_rate(income, year=None):
    return round(income_tax(income, year) / income, 4) if income > 0 else 0.0
