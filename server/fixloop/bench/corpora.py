"""The two repair corpora as typed cases: what to copy, what to run, which edits to apply.

Used by `fixloop bench repair`, its CI gate and the corpora's integrity tests alike.
`tests/corpus/<case>/` holds `prog.py` (and, unless the case is a script, `test_prog.py`), with
the intended fix, the plausible wrong fixes and the `hangs` flag in `tests/corpus/fixes.json` and
the hidden checks in `tests/corpus/hidden/test_<case>.py`. `tests/corpus-projects/<name>/` holds
`project/` (the root a user has), `case.json` and `hidden/`. Both load into the same `Case`, so
the integrity tests treat a one-file case and a project alike. Loading never runs anything; a
malformed `case.json` becomes a `LayoutError` that names the file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any


def _find(name: str) -> Path:
    """`tests/<name>` of the checkout this package sits in, else of the working directory's."""
    checkout = Path(__file__).resolve().parents[3] / "tests" / name
    return checkout if checkout.is_dir() else Path.cwd() / "tests" / name


CORPUS = _find("corpus")
PROJECTS = _find("corpus-projects")
CASE_FIELDS = {"target", "tests", "intended", "hangs", "classes", "description"}
OPTIONAL_FIELDS = {"script", "wrong"}


class Corpus(Enum):
    CASES = "corpus"
    PROJECTS = "projects"


class LayoutError(ValueError):
    """A case whose files or metadata break the corpus conventions."""


@dataclass(frozen=True)
class Edit:
    replace: str
    with_text: str


@dataclass(frozen=True)
class Case:
    corpus: Corpus
    name: str
    root: Path  # the folder a user would open: copied whole for every run
    target: str  # the buggy file, relative to root
    tests: tuple[str, ...]  # pytest arguments relative to root; empty means the script oracle
    script: str | None
    intended: tuple[Edit, ...]
    wrong: tuple[Edit, ...]
    hangs: bool
    hidden: tuple[Path, ...]
    classes: tuple[str, ...]

    @property
    def id(self) -> str:
        return f"{self.corpus.value}/{self.name}"

    def source(self) -> str:
        return (self.root / self.target).read_text(encoding="utf-8")


def apply_edits(source: str, edits: tuple[Edit, ...]) -> str:
    """Apply each edit once, in order; each `replace` must occur exactly once when applied."""
    for edit in edits:
        count = source.count(edit.replace)
        if count != 1:
            raise LayoutError(f"replace text found {count} times, not once: {edit.replace!r}")
        source = source.replace(edit.replace, edit.with_text)
    return source


def _edits(raw: Any, where: str) -> tuple[Edit, ...]:
    if not isinstance(raw, list):
        raise LayoutError(f"{where}: expected a list of replace/with objects")
    edits = []
    for entry in raw:
        if not (
            isinstance(entry, dict)
            and set(entry) == {"replace", "with"}
            and all(isinstance(entry[key], str) for key in entry)
            and entry["replace"]
        ):
            raise LayoutError(f"{where}: each edit is exactly {{'replace': str, 'with': str}}")
        edits.append(Edit(entry["replace"], entry["with"]))
    return tuple(edits)


def corpus_cases(corpus: Path = CORPUS) -> list[Case]:
    fixes = json.loads((corpus / "fixes.json").read_text(encoding="utf-8"))
    cases = []
    for folder in sorted(p for p in corpus.iterdir() if (p / "prog.py").is_file()):
        entry = fixes.get(folder.name)
        if not isinstance(entry, dict):
            continue  # reported by the test that pairs folders with fixes.json entries
        has_tests = (folder / "test_prog.py").is_file()
        intended = _edits([{"replace": entry["replace"], "with": entry["with"]}], folder.name)
        cases.append(
            Case(
                corpus=Corpus.CASES,
                name=folder.name,
                root=folder,
                target="prog.py",
                tests=("test_prog.py",) if has_tests else (),
                script=None if has_tests else "prog.py",
                intended=intended,
                wrong=_edits(entry.get("wrong", []), f"fixes.json {folder.name} wrong"),
                hangs=bool(entry.get("hangs", False)),
                hidden=tuple(sorted((corpus / "hidden").glob(f"test_{folder.name}.py"))),
                classes=tuple(entry.get("classes", ())),
            )
        )
    return cases


def project_case(folder: Path) -> Case:
    where = f"{folder.name}/case.json"
    meta = json.loads((folder / "case.json").read_text(encoding="utf-8"))
    if not isinstance(meta, dict):
        raise LayoutError(f"{where}: not a JSON object")
    missing = CASE_FIELDS - set(meta)
    unknown = set(meta) - CASE_FIELDS - OPTIONAL_FIELDS
    if missing or unknown:
        raise LayoutError(f"{where}: missing {sorted(missing)}, unknown {sorted(unknown)}")
    tests = meta["tests"]
    if not (isinstance(tests, list) and all(isinstance(t, str) and t for t in tests)):
        raise LayoutError(f"{where}: tests must be a list of pytest arguments")
    script = meta.get("script")
    if (script is None) == (not tests):
        raise LayoutError(f"{where}: a script case has no tests and a 'script'; others the reverse")
    if not isinstance(meta["hangs"], bool):
        raise LayoutError(f"{where}: hangs must be true or false")
    classes = meta["classes"]
    if not (isinstance(classes, list) and classes and all(isinstance(c, str) for c in classes)):
        raise LayoutError(f"{where}: classes must be a non-empty list of names")
    description = meta["description"]
    if not (isinstance(description, str) and description and "\n" not in description):
        raise LayoutError(f"{where}: description must be one line")
    intended = _edits(meta["intended"], f"{where} intended")
    if not intended:
        raise LayoutError(f"{where}: at least one intended edit")
    return Case(
        corpus=Corpus.PROJECTS,
        name=folder.name,
        root=folder / "project",
        target=meta["target"],
        tests=tuple(tests),
        script=script,
        intended=intended,
        wrong=_edits(meta.get("wrong", []), f"{where} wrong"),
        hangs=meta["hangs"],
        hidden=tuple(sorted((folder / "hidden").glob("test_*.py"))),
        classes=tuple(classes),
    )


def project_folders(projects: Path = PROJECTS) -> list[Path]:
    return sorted(p for p in projects.iterdir() if p.is_dir() and not p.name.startswith("."))


def all_cases(corpus: Path = CORPUS, projects: Path = PROJECTS) -> list[Case]:
    """Every well-formed case; a malformed one is reported by its own layout test instead."""
    cases = corpus_cases(corpus)
    for folder in project_folders(projects):
        try:
            cases.append(project_case(folder))
        except (LayoutError, ValueError, KeyError, OSError):
            continue
    return cases
