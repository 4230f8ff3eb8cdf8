from prog import fib

def test_small():
    assert fib(1) == 1

def test_ten():
    assert fib(10) == 55

def test_zero():
    assert fib(0) == 0
