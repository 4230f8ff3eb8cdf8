PRICES = {"apple": 3, "pear": 4}

def price_of(item):
    """Unknown items cost nothing."""
    return PRICES[item]
