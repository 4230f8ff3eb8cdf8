"""What a project on disk looked like when a sandbox copied it, and what changed since.

A sandbox that lives for a whole editor session keeps its copy of the project across many runs,
while the user saves files, switches branches and deletes modules. Before each run such a
sandbox takes a new `ProjectState` (one stat per file, no reads) and brings its copy up to date
with the files that `changes_since` names, instead of copying the project again. The stamp is
the source's size, modification and change times and inode, so a file rewritten with the same
size and an old mtime is still seen as changed (its ctime moved).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

Stamp = tuple[int, int, int, int]


def source_stamp(path: Path) -> Stamp:
    info = os.stat(path)
    return (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)


@dataclass(frozen=True)
class ProjectChanges:
    """Files (relative) that are new or different, and files that are gone."""

    changed: tuple[str, ...]
    removed: tuple[str, ...]

    def __bool__(self) -> bool:
        return bool(self.changed or self.removed)


@dataclass(frozen=True)
class ProjectState:
    """The project's files with their stamps and its directories, relative to its root."""

    files: Mapping[str, tuple[Path, Stamp]]
    dirs: frozenset[str]

    @classmethod
    def of(cls, entries: Iterable[tuple[str, Path | None]]) -> ProjectState:
        """From `workspace.project_files(root)`: (relative path, source or None for a dir)."""
        files: dict[str, tuple[Path, Stamp]] = {}
        dirs: set[str] = set()
        for relative, source in entries:
            if source is None:
                dirs.add(relative)
                continue
            try:
                files[relative] = (source, source_stamp(source))
            except OSError:
                continue  # vanished between the walk and the stat: it is simply not there
        return cls(files, frozenset(dirs))

    def changes_since(self, older: ProjectState) -> ProjectChanges:
        changed = tuple(
            rel
            for rel, (_, stamp) in self.files.items()
            if rel not in older.files or older.files[rel][1] != stamp
        )
        removed = tuple(rel for rel in older.files if rel not in self.files)
        return ProjectChanges(changed, removed)
