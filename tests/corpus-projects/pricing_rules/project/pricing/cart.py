"""Pricing a cart: line totals with volume discounts, then the coupon, then VAT."""

from pricing.discounts import apply_coupon, volume_discount_percent


def line_net_cents(product, quantity):
    gross = product.price_cents * quantity
    return gross - gross * volume_discount_percent(quantity) // 100


def vat_cents(lines):
    """VAT per rate, computed on the summed net amount of each rate, rounded to the cent."""
    by_rate = {}
    for product, net in lines:
        by_rate[product.vat_rate] = by_rate.get(product.vat_rate, 0) + net
    return sum(int(net * rate) for rate, net in by_rate.items())


def price_cart(catalog, quantities, coupon=None):
    """{'net': ..., 'vat': ..., 'total': ...} in cents for {sku: quantity}."""
    lines = [(catalog[sku], line_net_cents(catalog[sku], q)) for sku, q in quantities.items() if q > 0]
    net = sum(net for _, net in lines)
    discounted = apply_coupon(net, coupon)
    # The coupon reduces every line in proportion, so VAT is computed on the reduced lines.
    ratio = discounted / net if net else 0
    vat = vat_cents([(product, line_net) for product, line_net in lines])
    return {"net": discounted, "vat": vat, "total": discounted + vat}
