def subsets(items):
    """Every subset of items, the empty one included."""
    result = []
    for item in items:
        result = result + [subset + [item] for subset in result]
    return result
