"""Cart pricing for the web shop: discounts, coupons and VAT."""
