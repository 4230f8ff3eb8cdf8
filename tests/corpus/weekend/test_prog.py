from prog import is_weekend

def test_saturday():
    assert is_weekend("Sat")

def test_sunday():
    assert is_weekend("sun")

def test_monday():
    assert not is_weekend("mon")
