"""A tiny inventory: add, remove and report stock levels."""


def add_item(stock, name, count):
    stock[name] = stock.get(name, 0) + count
    return stock


def remove_item(stock, name, count):
    if stock.get(name, 0) < count:
        raise ValueError(f"not enough {name}")
    stock[name] = stock[name] - count
    return stock


def low_stock(stock, threshold):
    return sorted(name for name, count in stock.items() if count < threshold)


def restock_list(stock, threshold, batch):
    return {name: batch - stock[name] for name in low_stock(stock, threshold)}
