"""Compile '/users/<int:user_id>/posts/<slug:post>' into a regular expression."""

import re

CONVERTERS = {
    "str": (r"[^/]+", str),
    "int": (r"\d", int),
    "slug": (r"[a-z0-9]+(?:-[a-z0-9]+)*", str),
}
PARAMETER = re.compile(r"<(?:(?P<kind>\w+):)?(?P<name>\w+)>")


class Pattern:
    def __init__(self, template):
        self.template = template
        self.casts = {}
        regex, position = "", 0
        for found in PARAMETER.finditer(template):
            kind = found["kind"] or "str"
            expression, cast = CONVERTERS[kind]
            regex += re.escape(template[position:found.start()]) + f"(?P<{found['name']}>{expression})"
            self.casts[found["name"]] = cast
            position = found.end()
        regex += re.escape(template[position:])
        self.regex = re.compile(regex)

    def match(self, path):
        """The typed parameters when `path` matches the whole template, else None."""
        found = self.regex.match(path)
        if found is None:
            return None
        return {name: self.casts[name](value) for name, value in found.groupdict().items()}
