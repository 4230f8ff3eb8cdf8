from prog import has_negative

def test_late():
    assert has_negative([1, 2, -3])

def test_none():
    assert not has_negative([1, 2])

def test_empty():
    assert not has_negative([])
