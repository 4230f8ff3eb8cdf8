from prog import PRICE_LIST, affordable, shopping_list


def test_affordable():
    assert affordable(PRICE_LIST, 20) == ["candle", "book"]


def test_shopping_list():
    assert shopping_list(PRICE_LIST, 60) == (["candle", "book", "scarf"], 5)
