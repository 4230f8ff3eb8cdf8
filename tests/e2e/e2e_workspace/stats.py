"""Average order value for the shop's daily report."""


def mean(values):
    """Arithmetic mean of a list of numbers; 0.0 for an empty list."""
    return sum(values) / len(values)


if __name__ == "__main__":
    monday, tuesday = mean([12.5, 30.0, 7.5]), mean([])
    assert abs(monday - 50.0 / 3) < 1e-9 and tuesday == 0.0, (monday, tuesday)
    print("average order: monday", monday, "tuesday", tuesday)
