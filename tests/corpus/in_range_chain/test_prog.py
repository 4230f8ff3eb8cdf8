from prog import is_digit_value

def test_zero():
    assert is_digit_value(0)

def test_nine():
    assert is_digit_value(9)

def test_ten():
    assert not is_digit_value(10)
