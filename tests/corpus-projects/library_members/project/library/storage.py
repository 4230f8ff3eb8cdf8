"""The member file: one JSON document with every member."""

import json
import os
import tempfile

from library.members import Member


def save(path, members):
    data = [member.to_dict() for member in members]
    directory = os.path.dirname(os.path.abspath(path))
    # Write next to the target and rename, so a crash never leaves half a file behind.
    with tempfile.NamedTemporaryFile("w", dir=directory, delete=False, encoding="utf-8") as handle:
        json.dump(data, handle, indent=1)
    os.replace(handle.name, path)


def load(path):
    with open(path, encoding="utf-8") as handle:
        return [Member.from_dict(item) for item in json.load(handle)]
