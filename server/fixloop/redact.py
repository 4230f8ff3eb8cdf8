"""Redaction of secrets, in every form a program could print them, from model prompts and logs.

Code under repair may read a secret (on `local`, a key file in the home directory) and print it
hex-encoded, base64-encoded, URL-encoded or reversed, hoping the output reaches a model request
or a transcript. The secrets are the values of secret-looking environment variables (including
those `secretenv` moved out of the environment) and the contents of credential files a run could
read: `~/.ssh`, `~/.aws/credentials`, `~/.config/gcloud`, `~/.netrc`, `~/.docker/config.json`,
`~/.git-credentials`, `~/.pypirc`, `~/.npmrc`, `~/.kube/config`, and `.env` files in the home
directory and in the folders above the run's root and the current directory. Files count line by line and token by token,
so a line of a key printed alone is caught too. For each value the `Redactor` derives the raw,
reversed, hex (lower and upper case), base64 and URL-safe base64 (at each of the three offsets a
value can take in a longer stream, so the value is caught inside the encoding of a larger blob),
and URL-encoded forms, once per process, and scrubs a text in one pass each way (the second,
over the reversed text, catches a form whose start a truncation cut off).
"""

from __future__ import annotations

import base64
import os
import pwd
import re
import threading
import urllib.parse
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from fixloop.secretenv import looks_secret, secret_environ

REDACTED = "[redacted]"
MIN_SECRET = 6  # shorter values would mangle ordinary words
MIN_FORM = 8  # encoded forms shorter than this match by chance
SLICE = 64
PARTIAL = 16  # this many characters of a form, cut short by a truncation, still count
MAX_FILE_BYTES = 256 * 1024
MAX_FILES = 200
# Files under a home directory whose contents are secrets ("*" for every file in the folder).
HOME_SECRET_FILES = (
    ".ssh/*",
    ".aws/credentials",
    ".config/gcloud/*",
    ".config/gcloud/legacy_credentials/*/*",
    ".netrc",
    ".env",
    ".docker/config.json",
    ".git-credentials",
    ".pypirc",
    ".npmrc",
    ".kube/config",
)
# Public parts of ~/.ssh: not secrets, and their host names would be redacted everywhere.
_PUBLIC_SSH = re.compile(r"(\.pub|^known_hosts.*|^authorized_keys.*|^config)$")
_TOKEN_SPLIT = re.compile(r"[\s=:\"',;{}\[\]()<>]+")
_IDENTIFIER = re.compile(r"[a-z_.-]+|[A-Z_.-]+")


def _looks_random(token: str) -> bool:
    """A token from a credential file worth redacting: long, and not a plain word or name."""
    if len(token) < MIN_FORM or _IDENTIFIER.fullmatch(token):
        return False
    has_digit = any(c.isdigit() for c in token)
    has_alpha = any(c.isalpha() for c in token)
    return (has_digit and has_alpha) or len(token) >= 20


def values_in_file(text: str) -> set[str]:
    """The secret values a credential file's text holds: its random-looking lines and tokens."""
    found = set()
    for line in text.splitlines():
        line = line.strip()
        if len(line) >= 16 and _looks_random(line):
            found.add(line)
        found.update(token for token in _TOKEN_SPLIT.split(line) if _looks_random(token))
    return found


def _homes() -> list[Path]:
    homes = [Path.home()]
    try:
        account = Path(pwd.getpwuid(os.geteuid()).pw_dir)
    except (KeyError, OSError):
        account = homes[0]
    return homes if account == homes[0] else [*homes, account]


def secret_files(root: Path | None = None) -> Iterator[Path]:
    """Credential files a run could read: under the home directories, and `.env` files in the
    folders above `root` and the current directory (the project's own `.env` is the user's
    code, shown to the model)."""
    seen = 0
    candidates: list[Path] = []
    for home in _homes():
        for pattern in HOME_SECRET_FILES:
            candidates.extend(sorted(home.glob(pattern)))
    above = {*Path.cwd().resolve().parents, *(Path(root).resolve().parents if root else ())}
    candidates.extend(parent / ".env" for parent in sorted(above))
    for path in candidates:
        if seen >= MAX_FILES:
            return
        if path.parent.name == ".ssh" and _PUBLIC_SSH.search(path.name):
            continue
        try:
            if path.is_file():
                seen += 1
                yield path
        except OSError:
            continue


def secret_values(root: Path | None = None, extra: Iterable[str] = ()) -> set[str]:
    values = {v for k, v in os.environ.items() if looks_secret(k)}
    values.update(secret_environ().values())
    values.update(extra)
    for path in secret_files(root):
        try:
            with open(path, "rb") as handle:
                data = handle.read(MAX_FILE_BYTES)
        except OSError:
            continue
        values.update(values_in_file(data.decode("utf-8", errors="replace")))
    return {piece for value in values for piece in pieces(value)}


def pieces(value: str) -> list[str]:
    """`value` as the parts the redactor looks for: its lines, and long lines in slices of
    `SLICE` characters (each slice of a printed value is then caught, and the prefix tree
    stays shallow)."""
    found = []
    for line in value.splitlines() or [value]:
        line = line.strip()
        if len(line) < MIN_SECRET:
            continue
        if len(line) <= 2 * SLICE:
            found.append(line)
            continue
        cuts = list(range(0, len(line), SLICE))
        if len(line) - cuts[-1] < SLICE // 2:
            cuts.pop()  # a short tail joins the slice before it
        found.extend(line[a:b] for a, b in zip(cuts, [*cuts[1:], len(line)], strict=True))
    return found


def forms(value: str) -> set[str]:
    """Every spelling of `value` the redactor looks for."""
    data = value.encode()
    found = {value, value[::-1]}
    found.update({data.hex(), data.hex().upper()})
    for offset in range(3):
        # The bytes of `value` that start at a base64 group boundary when the value sits at
        # this offset of a longer stream; the partial group at its end depends on what follows.
        aligned = data[(3 - offset) % 3 :]
        whole = aligned[: len(aligned) // 3 * 3]
        if whole:
            found.add(base64.b64encode(whole).decode())
            found.add(base64.urlsafe_b64encode(whole).decode())
    found.add(urllib.parse.quote(value))
    found.add(urllib.parse.quote(value, safe=""))
    found.add(urllib.parse.quote_plus(value, safe=""))
    found.add("".join(f"%{byte:02X}" for byte in data))
    found.add("".join(f"%{byte:02x}" for byte in data))
    return {form for form in found if len(form) >= (MIN_SECRET if form == value else MIN_FORM)}


def _prefix_tree(words: Iterable[str]) -> str:
    """A regular expression matching any of `words` (all of one length), shaped as a prefix
    tree: the engine follows one branch per character instead of trying every word."""
    tree: dict[str, Any] = {}
    for word in words:
        node = tree
        for char in word:
            node = node.setdefault(char, {})

    def render(node: dict[str, Any]) -> str:
        branches = [re.escape(char) + render(child) for char, child in sorted(node.items())]
        if len(branches) <= 1:
            return "".join(branches)
        return "(?:" + "|".join(branches) + ")"

    return render(tree)


class _FormIndex:
    """Finds forms in a text in one pass: one regular expression finds where a form may start
    (the first `MIN_SECRET` characters of every form, as a prefix tree), and at each such place
    the forms with that beginning are tried, longest first. A form whose text stops early (a
    truncation cut it) still counts when at least `PARTIAL` of its characters are there.
    Compiling the short beginnings takes milliseconds; a pattern of the whole forms would take
    a large fraction of a second."""

    def __init__(self, every: Iterable[str]) -> None:
        self._by_start: dict[str, list[str]] = {}
        for form in sorted(every, key=len, reverse=True):
            self._by_start.setdefault(form[:MIN_SECRET], []).append(form)
        self._starts = re.compile(_prefix_tree(self._by_start)) if self._by_start else None

    def _length_at(self, text: str, at: int, start: str) -> int:
        """How many characters from `at` belong to a form (0 when none does)."""
        best = 0
        for form in self._by_start[start]:
            if text.startswith(form, at):
                return len(form)
            if len(form) > best and len(form) >= PARTIAL:
                shared = len(os.path.commonprefix([form, text[at : at + len(form)]]))
                if shared >= PARTIAL and shared > best:
                    best = shared
        return best

    def replace(self, text: str, marker: str) -> str:
        if self._starts is None or not text:
            return text
        out: list[str] = []
        done = position = 0  # text[:done] is already in `out`
        while match := self._starts.search(text, position):
            at = match.start()
            length = self._length_at(text, at, match.group())
            if not length:
                position = at + 1
                continue
            out += [text[done:at], marker]
            done = position = at + length
        if not out:
            return text
        out.append(text[done:])
        return "".join(out)


class Redactor:
    """Replaces every form of every secret in a text with `[redacted]`.

    The forward pass catches whole forms and forms cut at their end; the same pass over the
    reversed text, with the forms reversed, catches forms cut at their start (the tail left
    after a head-and-tail truncation).
    """

    def __init__(self, values: Iterable[str]) -> None:
        every: set[str] = set()
        for value in values:
            every.update(forms(value))
        self.forms = len(every)
        self._forward = _FormIndex(every)
        self._backward = _FormIndex(form[::-1] for form in every)

    def __call__(self, text: str) -> str:
        text = self._forward.replace(text, REDACTED)
        return self._backward.replace(text[::-1], REDACTED[::-1])[::-1]

    def record(self, value: Any) -> Any:
        """`value` with every string inside it (dict values, list items) scrubbed."""
        if isinstance(value, str):
            return self(value)
        if isinstance(value, dict):
            return {key: self.record(item) for key, item in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.record(item) for item in value]
        if value is None or isinstance(value, (bool, int, float)):
            return value
        return self(str(value))  # what json.dumps(default=str) would write, scrubbed


_cache: dict[tuple[Any, ...], Redactor] = {}
_cache_lock = threading.Lock()


def redactor(root: Path | None = None, extra: Iterable[str] = ()) -> Redactor:
    """The redactor for this process (and `root`, whose parents' `.env` files count), built
    once: the environment's secret values and the extra ones are part of the key, so a
    changed environment gets a fresh one."""
    env_values = tuple(sorted(v for k, v in os.environ.items() if looks_secret(k)))
    key = (str(root) if root else "", env_values, tuple(sorted(set(extra))), str(Path.home()))
    with _cache_lock:
        found = _cache.get(key)
        if found is None:
            found = Redactor(secret_values(root, extra))
            _cache[key] = found
        return found
