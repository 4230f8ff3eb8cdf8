"""Letter scales. SCALE is the one in use (set from the settings at start-up)."""

SCALES = {
    "us": [(90, "A"), (80, "B"), (70, "C"), (60, "D"), (0, "F")],
    "ects": [(92, "A"), (82, "B"), (72, "C"), (62, "D"), (50, "E"), (0, "F")],
}
SCALE = "us"


def letter(score):
    for minimum, name in SCALES[SCALE]:
        if score >= minimum:
            return name
    raise ValueError(f"score below zero: {score}")
