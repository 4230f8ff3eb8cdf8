from math import sqroot


def root_mean_square(values):
    return sqroot(sum(v * v for v in values) / len(values))
