"""Human-readable summaries of rules."""

UNITS = {"daily": "day", "weekly": "week", "monthly": "month"}


def describe(rule):
    unit = UNITS[rule.frequency]
    every = f"every {unit}" if rule.interval == 1 else f"every {rule.interval} {unit}s"
    times = "once" if rule.count == 1 else f"{rule.count} times"
    return f"{every}, {times}"
