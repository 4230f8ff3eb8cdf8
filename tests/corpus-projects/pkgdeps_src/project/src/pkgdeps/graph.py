"""The index: package name -> the names it requires (optional extras included on request)."""

import re

REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9_.-]+)\s*(?:\[([a-z0-9_,]+)\])?")


def canonical(name):
    return re.sub(r"[-_.]+", "-", name).lower()


class Index:
    def __init__(self, requires=None, extras=None):
        self._requires = {}
        self._extras = {}
        for name, deps in (requires or {}).items():
            self.add(name, deps, (extras or {}).get(name, {}))

    def add(self, name, deps, extras=None):
        self._requires[canonical(name)] = [self._parse(d) for d in deps]
        self._extras[canonical(name)] = {k: [self._parse(d) for d in v] for k, v in (extras or {}).items()}

    @staticmethod
    def _parse(requirement):
        match = REQUIREMENT.match(requirement)
        if not match:
            raise ValueError(f"bad requirement {requirement!r}")
        return canonical(match.group(1))

    def __contains__(self, name):
        return canonical(name) in self._requires

    def requirements(self, name, extras=()):
        name = canonical(name)
        if name not in self._requires:
            raise KeyError(f"{name} is not in the index")
        deps = list(self._requires[name])
        for extra in extras:
            deps.extend(self._extras[name].get(extra, []))
        return deps
