"""Hidden checks for inventory_multi: the low-stock boundary and the restock amounts."""
import pytest

from prog import add_item, low_stock, remove_item, restock_list


def test_low_boundary_and_neighbours():
    stock = {"a": 1, "b": 2, "c": 3}
    assert low_stock(stock, 2) == ["a", "b"]


def test_restock_at_threshold():
    assert restock_list({"pen": 2, "ink": 3}, 2, 10) == {"pen": 8}


def test_remove_too_many():
    with pytest.raises(ValueError):
        remove_item({"pen": 1}, "pen", 2)


def test_add_to_existing():
    assert add_item({"pen": 1}, "pen", 4) == {"pen": 5}
