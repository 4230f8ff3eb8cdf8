"""Show source text with line numbers, the way an editor gutter does."""


def numbered(lines, start=1):
    """'  7 | text' lines, numbers right-aligned to the widest one."""
    width = len(str(start + len(lines) - 1))
    out = []
    for line, number in enumerate(lines, start):
        out.append(f"{number:>{width}d} | {line.rstrip()}")
    return out


def excerpt(text, first, last):
    """Numbered lines first..last (1-based, inclusive) of a text."""
    lines = text.splitlines()
    return "\n".join(numbered(lines[first - 1:last], start=first))
