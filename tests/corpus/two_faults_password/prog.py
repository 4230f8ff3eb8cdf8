"""Password rules for a sign-up form."""

import string

MIN_LENGTH = 8


def problems(password):
    """What the password still lacks, as short messages (empty when it is acceptable)."""
    found = []
    if len(password) <= MIN_LENGTH:
        found.append(f"at least {MIN_LENGTH} characters")
    if not all(char.isupper() for char in password):
        found.append("an upper-case letter")
    if not any(char.isdigit() for char in password):
        found.append("a digit")
    if not any(char in string.punctuation for char in password):
        found.append("a symbol")
    return found


def is_strong(password):
    return not problems(password)
