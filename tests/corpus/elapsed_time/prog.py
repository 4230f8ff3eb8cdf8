def elapsed(start, end):
    """Seconds between two timestamps, end after start."""
    return start - end
