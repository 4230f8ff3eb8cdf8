from prog import percent

def test_round_up():
    assert percent(2, 3) == 67

def test_exact():
    assert percent(1, 4) == 25
