"""Clean an import of contacts: drop duplicate e-mail addresses, keep the first record."""


def normalise_email(address):
    local, _, domain = address.strip().partition("@")
    return f"{local}@{domain.lower()}"


def deduplicate(contacts):
    """Contacts (name, email) without repeated addresses, first occurrence kept, order kept."""
    unique = []
    for name, email in contacts:
        seen = set()
        key = normalise_email(email)
        if key in seen:
            continue
        seen.add(key)
        unique.append((name, key))
    return unique
