"""Hidden checks for attribute_typo: the report names the student."""
from prog import Student


def test_other_student():
    assert Student("Bo", [10]).report() == "Bo: 10.0"


def test_rounding():
    assert Student("Cy", [1, 2, 2]).report() == "Cy: 1.7"
