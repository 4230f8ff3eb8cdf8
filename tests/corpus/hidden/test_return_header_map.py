"""Hidden checks for return_header_map: missing headers and mixed-case names."""
from prog import content_length, normalise


def test_missing_length():
    assert content_length({"Host": "x"}) is None


def test_mixed_case_name():
    assert content_length({"CONTENT-length": " 7 "}) == 7


def test_empty_mapping():
    assert normalise({}) == {}
