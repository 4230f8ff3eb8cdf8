"""Bank statement helpers: running balance after each movement, and the lowest point."""


def running_balance(opening, movements):
    """The balance after each movement (deposits positive, payments negative)."""
    history = []
    for movement in movements:
        balance = opening
        balance += movement
        history.append(round(balance, 2))
    return history


def lowest_point(opening, movements):
    return min([opening, *running_balance(opening, movements)])


def overdrawn_days(opening, movements):
    """1-based positions of the movements after which the account is below zero."""
    return [day for day, value in enumerate(running_balance(opening, movements), 1) if value < 0]
