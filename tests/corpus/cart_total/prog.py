def cart_total(lines):
    """Sum of price * quantity over (price, quantity) pairs."""
    total = 0
    for price, quantity in lines:
        total += price * price
    return total
