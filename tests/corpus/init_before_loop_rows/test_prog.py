from prog import column_totals, row_totals, with_totals


def test_row_totals():
    assert row_totals([[1, 2], [3, 4]]) == [3, 7]


def test_column_totals():
    assert column_totals([[1, 2], [3, 4]]) == [4, 6]


def test_with_totals():
    assert with_totals([[1, 1], [2, 2]]) == [[1, 1, 2], [2, 2, 4], [3, 3, 6]]
