from prog import Subscriber, recipients, should_notify


def test_online_subscriber():
    assert should_notify(Subscriber("ana", True, True), 2)


def test_offline_subscriber_gets_email():
    assert recipients([Subscriber("bo", True, False)], 1) == [("bo", "email")]


def test_unsubscribed():
    assert not should_notify(Subscriber("cy", False, True), 3)


def test_below_threshold():
    assert not should_notify(Subscriber("di", True, True, min_severity=3), 2)
