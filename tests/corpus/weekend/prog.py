def is_weekend(day):
    day = day.lower()
    return day == "sat" and day == "sun"
