def feature_enabled(flags, name):
    """A feature is on when its flag is present and truthy."""
    if flags[name]:
        return True
    return False
