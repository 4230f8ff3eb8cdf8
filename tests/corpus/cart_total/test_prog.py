from prog import cart_total

def test_two_lines():
    assert cart_total([(2, 3), (5, 1)]) == 11

def test_empty():
    assert cart_total([]) == 0
