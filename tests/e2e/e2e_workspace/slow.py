"""The nightly sales report, which takes its time."""

import time


def first_sale(sales):
    time.sleep(2)
    return sales[0]


print(first_sale([]))
