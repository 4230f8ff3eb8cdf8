"""URL slugs: 'Hello, World!' -> 'hello-world'."""

from textkit.normalize import words

SEPARATOR = "-"


def slugify(title, max_length=60):
    """A slug of at most max_length characters, cut at a word boundary."""
    parts = words(title)
    slug = "".join(parts)
    if len(slug) <= max_length:
        return slug
    cut = slug[: max_length + 1].rfind(SEPARATOR)
    return slug[:cut] if cut > 0 else slug[:max_length]


def unique_slug(title, taken):
    """A slug not in `taken`, numbered from 2 when needed."""
    base = slugify(title) or "post"
    slug, number = base, 2
    while slug in taken:
        slug = f"{base}{SEPARATOR}{number}"
        number += 1
    return slug
