def total(values):
    if not values:
        return 0
    return values[0] + total(values)
