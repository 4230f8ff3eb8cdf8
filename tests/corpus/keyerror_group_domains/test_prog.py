from prog import group_by_domain, largest_domains


def test_two_domains():
    assert group_by_domain(["ann@x.org", "bob@y.org"]) == {"x.org": ["ann"], "y.org": ["bob"]}


def test_domain_case():
    assert group_by_domain(["Eve@Example.COM"]) == {"example.com": ["Eve"]}


def test_largest():
    assert largest_domains(["a@p.io", "b@q.io"], 1) == ["p.io"]
