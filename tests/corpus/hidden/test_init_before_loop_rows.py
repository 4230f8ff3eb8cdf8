"""Hidden checks for init_before_loop_rows: more rows, negative cells, empty rows."""
from prog import row_totals


def test_three_rows():
    assert row_totals([[1], [2], [3]]) == [1, 2, 3]


def test_negative_and_empty_rows():
    assert row_totals([[5, -5], [], [-1, -1]]) == [0, 0, -2]


def test_empty_table():
    assert row_totals([]) == []
