def power(base, exponent):
    return pow(exponent, base)
