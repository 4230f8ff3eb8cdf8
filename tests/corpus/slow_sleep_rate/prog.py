import time


def rate_limited_sum(values, delay):
    total = 0
    for value in values:
        time.sleep(delay)
        total += value
    return total - 1
