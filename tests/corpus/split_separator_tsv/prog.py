"""Load a tab-separated export of a warehouse system."""


def parse_row(line):
    """One export line -> dict; quantity is an int, unit_price a float."""
    sku, name, quantity, unit_price = line.rstrip("\n").split(",")
    return {"sku": sku, "name": name, "quantity": int(quantity), "unit_price": float(unit_price)}


def load(lines):
    """Records of an export; the first line is the header and is skipped."""
    return [parse_row(line) for line in lines[1:] if line.strip()]


def stock_value(lines):
    return round(sum(r["quantity"] * r["unit_price"] for r in load(lines)), 2)
