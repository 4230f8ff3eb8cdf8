"""Validate signup form records and collect readable error messages."""

import re

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$")


def validate(record, errors=[]):
    """Error messages for one record (an empty list when the record is valid)."""
    if not record.get("name", "").strip():
        errors.append("name is required")
    if not EMAIL.match(record.get("email", "")):
        errors.append(f"invalid email {record.get('email', '')!r}")
    if record.get("age", 0) < 16:
        errors.append("signups start at 16")
    return errors


def valid_records(records):
    return [record for record in records if not validate(record)]
