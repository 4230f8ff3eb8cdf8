"""Print the week's shift plan of a small café from the list of booked shifts."""

WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
SHIFTS = [
    ("Mon", "Ana"),
    ("Sat", "Bo"),
    ("Tue", "Cy"),
    ("Mon", "Di"),
    ("Fri", "Ana"),
    ("Sun", "Cy"),
    ("Sat", "Ed"),
]


def plan(shifts):
    schedule = {}
    for day, person in shifts:
        if day not in WEEKDAYS:
            raise ValueError(f"unknown day {day!r}")
        schedule[day].append(person)
    return schedule


def main():
    print(f"{len(SHIFTS)} shifts booked")
    schedule = plan(SHIFTS)
    for day, people in schedule.items():
        print(f"{day}: {', '.join(people) if people else '-'}")
    uncovered = [day for day, people in schedule.items() if not people]
    print(f"days without staff: {len(uncovered)}")


if __name__ == "__main__":
    main()
