"""Descriptive statistics for a list of measurements."""


def describe(values):
    """Count, median and range (largest minus smallest) of a non-empty list."""
    ordered = sorted(values)
    count = len(ordered)
    middle = count // 2
    if count % 2:
        median = ordered[middle]
    else:
        median = (ordered[middle] + ordered[middle + 1]) / 2
    spread = ordered[0] - ordered[-1]
    return {"count": count, "median": median, "range": spread}


def report(values):
    stats = describe(values)
    return f"n={stats['count']} median={stats['median']} range={stats['range']}"
