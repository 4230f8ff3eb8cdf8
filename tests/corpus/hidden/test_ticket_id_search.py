"""Hidden checks for ticket_id_search: ids at the start, at the end, and the first of several."""
from prog import changelog, ticket_id


def test_id_at_the_start():
    assert ticket_id("WEB-12 tidy the header") == "WEB-12"


def test_first_of_several():
    assert ticket_id("Merge AB-1 and CD-2") == "AB-1"


def test_id_on_a_later_line():
    assert ticket_id("Refactor\n\nCloses DATA-300") == "DATA-300"


def test_changelog_keeps_order():
    messages = ["First (X1-5)", "no ticket", "Second (Y2-6)"]
    assert changelog(messages) == ["X1-5: First (X1-5)", "Y2-6: Second (Y2-6)"]
