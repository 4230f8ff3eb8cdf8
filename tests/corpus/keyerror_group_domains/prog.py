"""Mailing-list tools: group subscribers by e-mail domain and find the biggest domains."""


def group_by_domain(emails):
    """{domain: [user, ...]} with domains in lower case, users in the order given."""
    groups = {}
    for email in emails:
        user, _, domain = email.strip().partition("@")
        key = domain.lower()
        groups[key].append(user)
    return groups


def largest_domains(emails, count=2):
    groups = group_by_domain(emails)
    return sorted(groups, key=lambda domain: (-len(groups[domain]), domain))[:count]
