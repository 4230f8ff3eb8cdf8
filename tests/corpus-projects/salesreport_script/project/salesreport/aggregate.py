"""Totals by region and by product, and each region's share of the whole."""

from collections import Counter


def revenue_by(sales, field):
    totals = Counter()
    for sale in sales:
        totals[getattr(sale, field)] += sale.revenue
    return totals


def region_shares(sales):
    """[(region, revenue, share of total)] from the biggest region down."""
    totals = revenue_by(sales, "region")
    grand_total = sum(totals.values())
    shares = []
    for revenue, region in totals.items():
        shares.append((region, revenue, revenue / grand_total))
    return sorted(shares, key=lambda item: item[1], reverse=True)


def best_sellers(sales, count=3):
    units = Counter()
    for sale in sales:
        units[sale.product] += sale.units
    return units.most_common(count)
