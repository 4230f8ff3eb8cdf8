def triangle(n):
    """n + (n-1) + ... + 1, counting down."""
    total = 0
    while n > 0:
        total += n
        n += 1
    return total
