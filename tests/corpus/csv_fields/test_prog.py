from prog import parse_row

def test_row():
    assert parse_row("a, b ,c") == ["a", "b", "c"]

def test_single():
    assert parse_row("x") == ["x"]

def test_no_spaces():
    assert parse_row("a,b") == ["a", "b"]
