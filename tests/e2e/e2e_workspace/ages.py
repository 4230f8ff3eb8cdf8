"""Age checks for the shop's online sign-up."""


def age_next_year(ages, name):
    """The age `name` will be next year; 0 for someone we do not know."""
    return ages[name] + 1


if __name__ == "__main__":
    print(age_next_year({"ana": 30}, "bo"))
