from prog import stock_value

def test_value():
    assert stock_value({"nails": 10, "bolts": 5}) == 15
