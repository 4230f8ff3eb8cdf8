"""Print the mean temperature of each day of a week of readings (four per day), then the week's."""

DAY_NAMES = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
READINGS = [
    11.0, 14.5, 17.0, 12.5,
    10.0, 13.0, 16.5, 12.0,
    9.5, 12.5, 15.0, 11.0,
    12.0, 15.5, 19.0, 13.5,
    13.0, 17.0, 21.0, 15.0,
    14.0, 18.5, 22.5, 16.0,
    12.5, 16.0, 19.5, 14.0,
]
PER_DAY = 4


def weekly_report(readings, per_day):
    days = len(readings) // per_day
    total = 0.0
    for day in range(days + 1):
        chunk = readings[day * per_day:(day + 1) * per_day]
        mean = sum(chunk) / len(chunk)
        print(f"{DAY_NAMES[day]}: {mean:.2f}")
        total += mean
    return total / days


if __name__ == "__main__":
    week = weekly_report(READINGS, PER_DAY)
    print(f"week: {week:.2f}")
