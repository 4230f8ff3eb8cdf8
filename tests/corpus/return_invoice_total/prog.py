"""Invoice arithmetic for a small web shop: line totals, VAT and an optional discount."""

VAT_RATE = 0.2


def line_total(line):
    """Price of one (unit_price, quantity) line, VAT included."""
    unit_price, quantity = line
    return unit_price * quantity * (1 + VAT_RATE)


def invoice_total(lines, discount=0.0):
    """Sum of the line totals, minus a fractional discount, rounded to cents."""
    subtotal = sum(line_total(line) for line in lines)
    total = round(subtotal * (1 - discount), 2)


def format_invoice(lines, discount=0.0):
    return f"Total due: {invoice_total(lines, discount):.2f} EUR"
