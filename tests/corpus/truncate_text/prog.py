def truncate(text, limit):
    """At most `limit` characters of text."""
    return text[:limit - 1]
