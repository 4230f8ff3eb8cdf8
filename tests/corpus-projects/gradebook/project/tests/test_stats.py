import json
from pathlib import Path

import pytest

from gradebook.letters import letter
from gradebook.stats import class_summary, report_card

STUDENTS = json.loads((Path(__file__).parent / "data" / "roster.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("student", STUDENTS, ids=lambda s: s["name"])
def test_report_card(student):
    assert report_card(student) == {
        "name": student["name"], "average": student["average"], "letter": student["letter"],
    }


@pytest.mark.parametrize("score, expected", [(90, "A"), (89.9, "B"), (60, "D"), (59.9, "F")])
def test_letters(score, expected):
    assert letter(score) == expected


@pytest.mark.roster
def test_class_summary(roster):
    assert class_summary(roster) == {"mean": 78.5, "letters": {"A": 3, "C": 1, "B": 2, "F": 1, "D": 3}}
