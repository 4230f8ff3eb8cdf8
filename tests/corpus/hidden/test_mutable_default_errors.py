"""Hidden checks for mutable_default_errors: each call reports only its own record."""
from prog import valid_records, validate


def test_two_bad_records_in_a_row():
    first = validate({"name": "A", "email": "a@b.io", "age": 10})
    second = validate({"name": "", "email": "c@d.io", "age": 20})
    assert first == ["signups start at 16"]
    assert second == ["name is required"]


def test_all_good():
    records = [{"name": n, "email": f"{n}@x.org", "age": 20} for n in ("p", "q")]
    assert valid_records(records) == records


def test_explicit_list_collects():
    errors = ["earlier"]
    validate({"name": "", "email": "e@f.gh", "age": 40}, errors)
    assert errors == ["earlier", "name is required"]
