from prog import changelog, ticket_id


def test_id_in_the_middle():
    assert ticket_id("Fix rounding of totals (PAY-1042)") == "PAY-1042"


def test_changelog():
    messages = ["Bump version", "Retry uploads, see OPS-7"]
    assert changelog(messages) == ["OPS-7: Retry uploads, see OPS-7"]
