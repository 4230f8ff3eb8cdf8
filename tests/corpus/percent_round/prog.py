def percent(part, whole):
    """Whole-number percentage, rounded."""
    return int(100 * part / whole)
