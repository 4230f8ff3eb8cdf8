"""Volume discounts and coupon codes."""

# (minimum quantity of one product, discount in percent)
VOLUME_TIERS = [(50, 15), (20, 10), (10, 5)]

COUPONS = {"WELCOME10": ("percent", 10), "FIVEOFF": ("amount", 500)}


class InvalidCoupon(ValueError):
    pass


def volume_discount_percent(quantity):
    for minimum, percent in VOLUME_TIERS:
        if quantity >= minimum:
            return percent
    return 0


def apply_coupon(total_cents, code):
    """Total after a coupon; a coupon never makes the total negative."""
    if code is None:
        return total_cents
    try:
        kind, value = COUPONS[code.strip().upper()]
    except KeyError:
        raise InvalidCoupon(f"unknown coupon {code!r}") from None
    if kind == "percent":
        return total_cents - total_cents * value // 100
    return max(0, total_cents - value)
