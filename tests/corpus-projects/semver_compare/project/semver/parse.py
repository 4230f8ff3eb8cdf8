"""Parse 'MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD]' into a Version."""

import re
from dataclasses import dataclass

PATTERN = re.compile(
    r"^v?(?P<core>\d+\.\d+\.\d+)(?:-(?P<pre>[0-9A-Za-z.-]+))?(?:\+(?P<build>[0-9A-Za-z.-]+))?$"
)


class InvalidVersion(ValueError):
    pass


@dataclass(frozen=True)
class Version:
    major: int
    minor: int
    patch: int
    prerelease: tuple = ()
    build: str = ""

    def __str__(self):
        text = f"{self.major}.{self.minor}.{self.patch}"
        if self.prerelease:
            text += "-" + ".".join(str(part) for part in self.prerelease)
        if self.build:
            text += "+" + self.build
        return text


def _identifier(part):
    return int(part) if part.isdigit() else part


def parse(text):
    match = PATTERN.match(text.strip())
    if not match:
        raise InvalidVersion(f"not a semantic version: {text!r}")
    major, minor, patch = match.group("core").split(".")
    prerelease = tuple(_identifier(p) for p in match.group("pre").split(".")) if match.group("pre") else ()
    return Version(major, minor, patch, prerelease, match.group("build") or "")
