def is_blank(text):
    """True when the text has only whitespace."""
    if text.strip():
        return False
    return False
