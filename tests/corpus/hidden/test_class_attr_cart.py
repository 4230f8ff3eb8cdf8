"""Hidden checks for class_attr_cart: a new cart is empty, whatever other carts hold."""
from prog import ShoppingCart


def test_new_cart_is_empty():
    ShoppingCart("x").add("tea", 5)
    cart = ShoppingCart("y")
    assert len(cart) == 0 and cart.total() == 0


def test_two_carts_two_totals():
    a, b = ShoppingCart("a"), ShoppingCart("b")
    a.add("mug", 2)
    b.add("tea")
    assert (a.total(), b.total()) == (16.0, 3.5)
