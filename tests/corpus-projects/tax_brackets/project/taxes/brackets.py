"""Bracket tables: (income where the bracket starts, marginal rate), lowest first."""

TABLES = {
    2023: [(0, 0.0), (10_500, 0.10), (42_000, 0.12), (90_000, 0.22), (175_000, 0.24)],
    2024: [(0, 0.0), (11_000, 0.10), (44_725, 0.12), (95_375, 0.22), (182_100, 0.24)],
}
YEAR = 2024  # the default year; the application sets it from its settings


def table(year=None):
    return TABLES[year or YEAR]
