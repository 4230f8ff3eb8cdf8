"""Hidden checks for items_budget_filter: exact budgets, nothing affordable, everything."""
from prog import PRICE_LIST, affordable, shopping_list


def test_exact_price_is_affordable():
    assert affordable(PRICE_LIST, 12) == ["candle"]


def test_nothing_affordable():
    assert affordable(PRICE_LIST, 11) == []
    assert shopping_list(PRICE_LIST, 5) == ([], 5)


def test_everything():
    assert affordable(PRICE_LIST, 100) == ["candle", "book", "scarf", "board game", "headphones"]
