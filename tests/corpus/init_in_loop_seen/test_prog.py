from prog import deduplicate, normalise_email


def test_normalise():
    assert normalise_email(" Ana@Example.ORG ") == "Ana@example.org"


def test_duplicates_dropped():
    contacts = [("Ana", "ana@x.org"), ("Ana B.", "ana@X.org"), ("Bo", "bo@x.org")]
    assert deduplicate(contacts) == [("Ana", "ana@x.org"), ("Bo", "bo@x.org")]
