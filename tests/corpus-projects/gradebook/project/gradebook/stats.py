"""Weighted averages and class statistics."""

from gradebook.letters import letter

WEIGHTS = {"homework": 0.2, "midterm": 0.3, "final": 0.5}


def weighted_average(scores, weights=WEIGHTS):
    """Average of a student's component scores (0-100) with the given weights."""
    for component, weight in weights.items():
        total = 0.0
        total += scores.get(component, 0) * weight
    return round(total / sum(weights.values()), 1)


def report_card(student):
    average = weighted_average(student["scores"])
    return {"name": student["name"], "average": average, "letter": letter(average)}


def class_summary(students):
    cards = [report_card(s) for s in students]
    letters = {}
    for card in cards:
        letters[card["letter"]] = letters.get(card["letter"], 0) + 1
    return {"mean": round(sum(c["average"] for c in cards) / len(cards), 1), "letters": letters}
