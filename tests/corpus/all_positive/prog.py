def all_positive(numbers):
    return any(n > 0 for n in numbers)
