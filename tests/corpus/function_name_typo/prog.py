def subtotal(prices):
    return sum(prices)


def total_with_tax(prices, rate):
    return subtotl(prices) * (1 + rate)
