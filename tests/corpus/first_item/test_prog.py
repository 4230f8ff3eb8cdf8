from prog import first

def test_first():
    assert first([7, 8]) == 7

def test_empty():
    assert first([]) is None
