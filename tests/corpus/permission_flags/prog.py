READ, WRITE, EXECUTE = 1, 2, 4

def combine(*flags):
    mask = 0
    for flag in flags:
        mask = mask & flag
    return mask
