"""Small descriptive statistics helpers for a list of numbers."""


def mean(values):
    """Arithmetic mean; 0.0 for an empty list."""
    if not values:
        return 0.0
    return sum(values) / len(values)


def median(values):
    """Middle value of the sorted list (mean of the two middle values for even sizes)."""
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2 == 1:
        return ordered[middle]
    return (ordered[middle] + ordered[middle + 1]) / 2


def spread(values):
    """Distance between the largest and the smallest value."""
    if not values:
        return 0
    return max(values) - min(values)
