"""Text layout helpers: column widths and the longest word of a paragraph."""


def longest_word(text):
    """The longest word; the first one wins a tie."""
    words = text.split()
    return max(words) if words else ""


def column_width(cells, padding=2):
    return max((len(str(cell)) for cell in cells), default=0) + padding


def wrap_width(text, minimum=20):
    """A wrap width that never splits the longest word."""
    return max(minimum, len(longest_word(text)))
