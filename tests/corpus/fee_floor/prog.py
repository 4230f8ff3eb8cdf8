def after_fee(balance, fee):
    """Balance after a fee; an account never goes below zero."""
    return balance - fee
