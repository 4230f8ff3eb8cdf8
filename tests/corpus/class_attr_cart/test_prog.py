from prog import ShoppingCart


def test_total():
    cart = ShoppingCart("ana")
    cart.add("tea", 2)
    assert cart.total() == 7.0


def test_carts_are_separate():
    first = ShoppingCart("bo")
    first.add("mug")
    second = ShoppingCart("cy")
    second.add("honey")
    assert len(second) == 1
