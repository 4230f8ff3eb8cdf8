from prog import combine, READ, WRITE

def test_combine():
    assert combine(READ, WRITE) == 3

def test_none():
    assert combine() == 0
