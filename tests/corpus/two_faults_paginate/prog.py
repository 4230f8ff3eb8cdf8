"""Pagination for a list endpoint: pages are numbered from 1."""


def page_slice(total_items, number, page_size=10):
    """(start, stop) indexes of page `number` in a list of `total_items` items."""
    pages = max(1, total_items // page_size)
    if not 1 <= number <= pages:
        raise IndexError(f"no page {number} (pages 1-{pages})")
    start = number * page_size
    return start, min(start + page_size, total_items)


def page(items, number, page_size=10):
    start, stop = page_slice(len(items), number, page_size)
    return items[start:stop]


def page_header(items, number, page_size=10):
    start, stop = page_slice(len(items), number, page_size)
    return f"showing {start + 1}-{stop} of {len(items)}"
