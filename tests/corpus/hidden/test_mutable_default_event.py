"""Hidden checks for mutable_default_event: defaults stay empty however often they are used."""
from prog import make_event


def test_no_organiser_no_attendees():
    make_event("a", organiser="x")
    assert make_event("b") == {"title": "b", "attendees": [], "size": 0}


def test_many_calls():
    for name in ("p", "q", "r"):
        event = make_event("sync", organiser=name)
    assert event["attendees"] == ["r"] and event["size"] == 1


def test_given_list_with_the_organiser_already_in_it():
    event = make_event("x", ["ana"], organiser="ana")
    assert event["size"] == 1
