def name_length(name):
    """Length of a name; a missing name counts as 0."""
    return len(name.strip())
