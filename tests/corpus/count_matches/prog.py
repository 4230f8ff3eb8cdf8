def count_over(values, limit):
    count = 1
    for value in values:
        if value > limit:
            count += 1
    return count
