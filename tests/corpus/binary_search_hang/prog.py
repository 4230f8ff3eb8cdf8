def find(sorted_values, target):
    """Index of target in sorted_values, or -1."""
    lo, hi = 0, len(sorted_values) - 1
    while lo <= hi:
        mid = (lo + hi) // 2
        if sorted_values[mid] == target:
            return mid
        if sorted_values[mid] < target:
            lo = mid
        else:
            hi = mid - 1
    return -1
