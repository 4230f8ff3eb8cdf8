from prog import valid_records, validate

GOOD = {"name": "Ana", "email": "ana@example.org", "age": 30}
BAD = {"name": "", "email": "nope", "age": 12}


def test_bad_record():
    assert len(validate(BAD)) == 3


def test_good_record_after_a_bad_one():
    validate(BAD)
    assert validate(GOOD) == []


def test_filter():
    assert valid_records([BAD, GOOD]) == [GOOD]
