def double_all(values):
    result = []
    for value in values:
        result.append(value * 2)
        return result
