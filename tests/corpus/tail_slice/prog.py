def tail_sum(items):
    """Sum of everything but the first item."""
    rest = items
    return sum(rest)
