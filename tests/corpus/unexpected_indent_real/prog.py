def describe(n):
    kind = "even" if n % 2 == 0 else "odd"
        return f"{n} is {kind}"
