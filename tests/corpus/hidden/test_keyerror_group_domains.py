"""Hidden checks for keyerror_group_domains: several users per domain, in order."""
from prog import group_by_domain, largest_domains


def test_users_of_one_domain_stay_together():
    emails = ["a@x.org", "b@y.org", "c@X.org"]
    assert group_by_domain(emails) == {"x.org": ["a", "c"], "y.org": ["b"]}


def test_largest_by_size():
    emails = ["a@p.io", "b@q.io", "c@q.io", "d@r.io", "e@r.io", "f@r.io"]
    assert largest_domains(emails) == ["r.io", "q.io"]


def test_empty():
    assert group_by_domain([]) == {}
