"""Hidden checks for clause_drop_notify: every mix of subscribed, online and severity."""
from prog import Subscriber, recipients, should_notify


def test_unsubscribed_offline():
    assert not should_notify(Subscriber("x", False, False), 5)


def test_offline_below_threshold():
    assert not should_notify(Subscriber("y", True, False, min_severity=4), 3)


def test_offline_at_threshold():
    assert should_notify(Subscriber("z", True, False, min_severity=4), 4)


def test_mixed_list():
    people = [Subscriber("a", True, True), Subscriber("b", True, False), Subscriber("c", False, False)]
    assert recipients(people, 1) == [("a", "push"), ("b", "email")]
