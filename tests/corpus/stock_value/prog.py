def stock_value(stock):
    """Total of quantity for a {name: quantity} dict."""
    return sum(stock.keys())
