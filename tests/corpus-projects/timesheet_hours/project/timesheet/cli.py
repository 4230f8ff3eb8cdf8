"""`timesheet FILE`: print a person's weekly hours from a file of 'day start-end' lines."""

import sys

from timesheet.hours import shift_minutes


def parse_log(lines):
    shifts = []
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if line:
            day, span = line.split(maxsplit=1)
            shifts.append((day, span.replace(" ", "")))
    return shifts


def print_summary(lines, out=None):
    out = out or sys.stdout
    total = 0
    for day, span in parse_log(lines):
        minutes = shift_minutes(span)
        total += minutes
        print(f"{day:<4}{span:>12}{minutes / 60:>7.2f} h", file=out)
    print(f"{'week':<16}{total / 60:>7.2f} h", file=out)
    return total


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    with open(argv[0], encoding="utf-8") as handle:
        print_summary(handle.read().splitlines())
    return 0
