from prog import add_item, remove_item, low_stock, restock_list

def test_add():
    assert add_item({}, "pen", 3) == {"pen": 3}

def test_remove():
    assert remove_item({"pen": 3}, "pen", 2) == {"pen": 1}

def test_low_at_threshold():
    assert low_stock({"pen": 2, "ink": 9}, 2) == ["pen"]

def test_restock():
    assert restock_list({"pen": 1, "ink": 9}, 2, 10) == {"pen": 9}
