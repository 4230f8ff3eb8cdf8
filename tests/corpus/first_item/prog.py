def first(items):
    """The first item, or None for an empty list."""
    return items[0]
