def has_negative(values):
    for value in values:
        if value < 0:
            return True
        return False
