"""Calendar events: build an event record and its invitation list."""


def make_event(title, attendees=[], *, organiser=None):
    """An event dict; the organiser is always among the attendees."""
    if organiser is not None and organiser not in attendees:
        attendees.append(organiser)
    return {"title": title, "attendees": attendees, "size": len(attendees)}


def invitations(event):
    return [f"{name}: you are invited to {event['title']}" for name in event["attendees"]]
