def is_digit_value(n):
    """0 to 9 inclusive."""
    return 0 < n <= 9
