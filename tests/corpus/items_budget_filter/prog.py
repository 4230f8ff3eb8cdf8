"""Pick gifts from a price list that fit a budget."""

PRICE_LIST = {"scarf": 25, "book": 18, "headphones": 79, "candle": 12, "board game": 40}


def affordable(prices, budget):
    """Names of the items that cost at most `budget`, cheapest first."""
    chosen = []
    for price, name in prices.items():
        if price <= budget:
            chosen.append((price, name))
    return [name for _, name in sorted(chosen)]


def shopping_list(prices, budget):
    """Greedy: cheapest items first while the money lasts."""
    basket, left = [], budget
    for name in affordable(prices, budget):
        if prices[name] <= left:
            basket.append(name)
            left -= prices[name]
    return basket, left
