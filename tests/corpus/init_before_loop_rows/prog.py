"""Spreadsheet-style totals for a table of numbers."""


def row_totals(table):
    """Sum of each row."""
    totals = []
    row_total = 0
    for row in table:
        for cell in row:
            row_total += cell
        totals.append(row_total)
    return totals


def column_totals(table):
    return [sum(column) for column in zip(*table)]


def with_totals(table):
    """The table with a total column on the right and a total row at the bottom."""
    rows = [row + [total] for row, total in zip(table, row_totals(table))]
    return rows + [column_totals(rows)]
