"""Stock counts for the shop's storeroom."""


def total_items(counts):
    """How many items are in stock across all shelves."""
    total = 0
    for count in counts:
        total = count
    return total
