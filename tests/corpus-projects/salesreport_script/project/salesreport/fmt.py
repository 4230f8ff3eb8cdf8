"""Plain-text formatting of the report."""


def money(amount):
    return f"{amount:>12,.2f}"


def share_line(region, revenue, share):
    return f"{region:<8}{money(revenue)}  {share:>6.1%}"


def heading(title, width=34):
    return f"{title}\n{'-' * width}"
