from discount import discounted


def test_no_discount():
    assert discounted(100, 0) == 100


def test_half_price():
    assert discounted(80, 50) == 40
