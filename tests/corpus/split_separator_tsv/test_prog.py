from prog import load, stock_value

EXPORT = [
    "sku\tname\tquantity\tunit_price\n",
    "A-1\tbolt, steel\t100\t0.15\n",
    "B-7\twasher\t250\t0.02\n",
]


def test_load():
    assert load(EXPORT)[0] == {"sku": "A-1", "name": "bolt, steel", "quantity": 100, "unit_price": 0.15}


def test_stock_value():
    assert stock_value(EXPORT) == 20.0
