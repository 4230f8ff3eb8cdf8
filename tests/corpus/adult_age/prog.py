def is_adult(age):
    """People of 18 and over are adults."""
    return age > 18
