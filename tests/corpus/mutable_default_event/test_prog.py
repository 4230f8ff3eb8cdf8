from prog import invitations, make_event


def test_organiser_is_added():
    event = make_event("standup", organiser="ana")
    assert event["attendees"] == ["ana"]


def test_events_do_not_share_attendees():
    make_event("retro", organiser="bo")
    event = make_event("planning", organiser="cy")
    assert event["attendees"] == ["cy"]


def test_invitations():
    event = make_event("lunch", ["di", "ed"])
    assert invitations(event)[1] == "ed: you are invited to lunch"
