"""Grade book helpers."""


def letter(score):
    if score >= 90:
        return "A"
    if score >= 80:
        return "B"
    if score > 70:
        return "C"
    return "F"


def letters(scores):
    return [letter(s) for s in scores]


def pass_rate(scores):
    passed = [s for s in scores if letter(s) != "F"]
    return len(passed) / len(scores)
