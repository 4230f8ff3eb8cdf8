"""Hidden checks for two_faults_describe: small lists, equal values, negatives."""
from prog import describe, report


def test_single_value():
    assert describe([4]) == {"count": 1, "median": 4, "range": 0}


def test_two_values():
    assert describe([10, 0]) == {"count": 2, "median": 5, "range": 10}


def test_negatives():
    assert describe([-3, -1, -2, -10]) == {"count": 4, "median": -2.5, "range": 9}


def test_report():
    assert report([1, 2, 3, 4, 5, 6]) == "n=6 median=3.5 range=5"
