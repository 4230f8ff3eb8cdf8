"""Scratch copies of the user's project, so a sandboxed run never touches the real workspace.

A `ScratchTree` is a copy of the project root (skipping VCS data, virtual environments, caches
and `node_modules`, within a size cap) made once per sandbox instance. Each run applies its
overlay (unsaved buffers, candidate patches) to the copy; before the next run the copy is reset
cheaply by comparing each file's size, mtime, ctime and inode with the manifest taken after
copying, instead of copying the whole project again (a run can set a file's mtime back, never
its ctime). Files a run must not change (the tests) are also compared by content, against the
project's own file, before and after each run (`changed_pristine`), and restored when they
differ. Copies are never writable by group or others. Symlinks are followed only when they stay inside the
project, so a link can never lead a run to the user's real files. `TreePool` hands out one tree
per concurrent run or long-lived process and reuses them afterwards.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import shutil
import stat
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager
from pathlib import Path, PurePosixPath

from fixloop.sandbox.base import MIB, SandboxUnavailable
from fixloop.sandbox.projectstate import ProjectState

SKIP_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".venv",
        "venv",
        "node_modules",
        "__pycache__",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".tox",
        ".nox",
        ".eggs",
    }
)
MAX_PROJECT_BYTES = 256 * MIB
MAX_PROJECT_FILES = 20_000


def check_overlay_path(relative: str) -> PurePosixPath:
    """A safe relative path for an overlay entry, or ValueError naming what is wrong."""
    if not relative or "\x00" in relative or "\n" in relative or "\r" in relative:
        raise ValueError(f"invalid overlay path {relative!r}")
    pure = PurePosixPath(relative)
    if pure.is_absolute() or any(part in ("..", "") for part in pure.parts):
        raise ValueError(f"overlay path must stay inside the project: {relative!r}")
    return pure


def project_files(root: Path, dirs: set[str] | None = None) -> Iterator[tuple[str, Path | None]]:
    """(relative path, source) for what a sandbox copy of `root` holds, parents first.

    Directories come with source None. Skips VCS data, virtual environments, caches, special
    files and symlinks that lead out of the project; raises SandboxUnavailable over the cap.
    """
    total_bytes = files = 0
    for current, dirnames, filenames in os.walk(root):
        here = Path(current)
        rel_dir = here.relative_to(root)
        keep = []
        for name in sorted(dirnames):
            full = here / name
            if name in SKIP_DIRS or full.is_symlink() or (full / "pyvenv.cfg").exists():
                continue
            keep.append(name)
            rel = (rel_dir / name).as_posix()
            if dirs is not None:
                dirs.add(rel)
            yield rel, None
        dirnames[:] = keep
        for name in sorted(filenames):
            source = here / name
            if source.is_symlink():
                target = source.resolve()
                if not target.is_file() or not target.is_relative_to(root):
                    continue  # a link leading out of the project is never followed
                source = target
            elif not source.is_file():
                continue  # sockets, fifos, devices
            files += 1
            total_bytes += source.stat().st_size
            if files > MAX_PROJECT_FILES or total_bytes > MAX_PROJECT_BYTES:
                raise SandboxUnavailable(
                    f"the project at {root} is too large to copy into a sandbox "
                    f"(over {MAX_PROJECT_FILES} files or {MAX_PROJECT_BYTES // MIB} MiB); "
                    "use --root to point at the directory that holds the code"
                )
            yield (rel_dir / name).as_posix(), source


class ScratchTree:
    """One copy of `root` at `path`, resettable to the pristine copy plus a new overlay."""

    def __init__(self, root: Path, path: Path) -> None:
        self.root = root.resolve()
        self.path = path
        self._manifest: dict[str, tuple[int, ...]] = {}  # relative file -> _stamp() of the copy
        self._digests: dict[str, bytes] = {}  # relative file -> sha256 of the project's file
        self._dirs: set[str] = set()
        self._overlaid: set[str] = set()
        self._copied = False
        self._damaged = False
        # A copy that outlives one task (a shared sandbox) follows the project's own changes.
        self.follow = False
        self._state = ProjectState({}, frozenset())
        # Bumped whenever `path` is deleted and made again: a mount of the old directory
        # (a pre-started bwrap) would no longer show the copy.
        self.generation = 0

    def _copy(self) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        entries = list(project_files(self.root, dirs=self._dirs))
        self._state = ProjectState.of(entries)  # before copying: later changes are seen
        for rel, source in entries:
            dest = self.path / rel
            if source is None:
                dest.mkdir(exist_ok=True)
                continue
            shutil.copy2(source, dest)
            self._manifest[rel] = _stamp(_read_only_for_others(dest))
        self._copied = True

    def prepare(self, overlay: Mapping[str, str]) -> None:
        """Make the copy equal to the project plus `overlay` (blocking; run in a thread)."""
        if not self._copied:
            self._copy()
        elif self._damaged:
            self._damaged = False
            self._rebuild()
        else:
            try:
                if self.follow:
                    self._follow_project()
                self._reset()
            except OSError:
                self._rebuild()
        for relative, text in overlay.items():
            rel = check_overlay_path(relative).as_posix()
            dest = self.path / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            if dest.is_symlink() or dest.is_dir():
                raise ValueError(f"overlay path is not a regular file: {relative!r}")
            if self._holds(rel, text):
                continue  # a saved editor buffer: the pristine copy already is the overlay
            dest.write_text(text, encoding="utf-8")
            self._overlaid.add(rel)

    def _holds(self, rel: str, text: str) -> bool:
        """Is the copy's pristine file `rel` (just reset) exactly `text`? Run File sends the
        buffer of a saved document: writing it, and restoring the file after the run, would
        cost more than the comparison."""
        if rel not in self._manifest:
            return False
        try:
            return (self.path / rel).read_bytes() == text.encode("utf-8")
        except OSError:
            return False

    @property
    def small(self) -> bool:
        """Copied already and small enough to reset on the event loop without noticeable delay."""
        return self._copied and len(self._manifest) <= 50 and len(self._dirs) <= 20

    def _rebuild(self) -> None:
        self.generation += 1
        _force_remove(self.path)
        self._manifest.clear()
        self._digests.clear()
        self._dirs.clear()
        self._overlaid.clear()
        self._copy()

    def _follow_project(self) -> None:
        """Take in what changed in the project since the copy was made or last followed."""
        now = ProjectState.of(project_files(self.root))
        changes = now.changes_since(self._state)
        for rel in changes.removed:  # out of the manifest: `_reset` deletes the copy's file
            self._manifest.pop(rel, None)
            self._digests.pop(rel, None)
        for directory in now.dirs - self._state.dirs:
            (self.path / directory).mkdir(parents=True, exist_ok=True)
        self._dirs = set(now.dirs)
        for rel in changes.changed:
            self._digests.pop(rel, None)
            self._restore(rel)
        self._state = now

    def _reset(self) -> None:
        """Undo whatever the last run or overlay changed, comparing against the manifest."""
        if not self.path.is_dir():
            # Deleted under us (a tmp cleaner): make it again, as a new directory.
            raise FileNotFoundError(str(self.path))
        stale = set(self._overlaid)
        self._overlaid.clear()
        seen: set[str] = set()
        for current, dirnames, filenames in os.walk(self.path):
            rel_dir = Path(current).relative_to(self.path)
            for name in list(dirnames):
                rel = (rel_dir / name).as_posix()
                full = Path(current) / name
                if rel not in self._dirs or full.is_symlink():
                    _force_remove(full)
                    dirnames.remove(name)
            for name in filenames:
                rel = (rel_dir / name).as_posix()
                full = Path(current) / name
                expected = self._manifest.get(rel)
                info = full.lstat()
                if expected is None or not stat.S_ISREG(info.st_mode):
                    full.unlink()
                    continue
                seen.add(rel)
                if rel in stale or _stamp(info) != expected:
                    self._restore(rel)
        for rel in self._manifest.keys() - seen:
            self._restore(rel)

    def _restore(self, rel: str) -> None:
        dest = self.path / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        if dest.exists() or dest.is_symlink():
            dest.unlink()
        source = (self.root / rel).resolve()
        shutil.copy2(source, dest)
        self._manifest[rel] = _stamp(_read_only_for_others(dest))

    def changed_pristine(self, files: Sequence[str]) -> tuple[str, ...]:
        """Which of `files` (relative) differ from the project's file now; each is restored.

        Called before a run (the copy is then pristine whatever an earlier run left) and after
        it (a file that differs is one the run changed). Overlaid files are not the project's."""
        changed = []
        for rel in files:
            if rel in self._overlaid or rel not in self._manifest:
                continue
            if rel not in self._digests:
                self._digests[rel] = _digest(self.root / rel)
            copy = self.path / rel
            if copy.is_symlink() or not copy.is_file() or _digest(copy) != self._digests[rel]:
                changed.append(rel)
                try:
                    self._restore(rel)
                except OSError:
                    self._damaged = True  # the next prepare() makes the copy again
        return tuple(changed)

    def remove(self) -> None:
        _force_remove(self.path)


def _stamp(info: os.stat_result) -> tuple[int, ...]:
    return (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)


def _read_only_for_others(path: Path) -> os.stat_result:
    """Drop group and other write bits (a run under another uid cannot change the copy)."""
    info = path.stat()
    if info.st_mode & 0o022:
        os.chmod(path, info.st_mode & ~0o022)
        info = path.stat()
    return info


def _digest(path: Path) -> bytes:
    try:
        return hashlib.sha256(path.read_bytes()).digest()
    except OSError:
        return b""


def _force_remove(path: Path) -> None:
    """Delete a file or tree even when a hostile run removed permissions from it."""
    if path.is_symlink() or path.is_file():
        path.unlink(missing_ok=True)
        return

    if path.exists():
        shutil.rmtree(path, onerror=_loosen_and_retry(path))


def _loosen_and_retry(tree: Path):  # type: ignore[no-untyped-def]
    """rmtree's error handler for `tree`: give back permissions a run took away, then retry.

    Only directories inside `tree` are ever chmod-ed. The parent of `tree` itself is a shared
    directory such as /tmp: when two processes reap the same stale tree, one of them finds it
    gone, and loosening that parent's mode would take /tmp away from every other user.
    """
    top = os.path.realpath(tree)

    def retry(func, target, exc_info):  # type: ignore[no-untyped-def]
        if isinstance(exc_info[1], FileNotFoundError):
            return  # removed by someone else in the meantime: nothing left to do
        for place in (os.path.dirname(target), target):
            real = os.path.realpath(place)
            if real == top or real.startswith(top + os.sep):
                try:
                    os.chmod(place, 0o700)
                except OSError:
                    pass
        func(target)

    return retry


class TreePool:
    """Scratch trees of one project under `base`; one per concurrent user, reused afterwards."""

    def __init__(self, root: Path, base: Path) -> None:
        self.root = root.resolve()
        self.base = base
        self._free: list[ScratchTree] = []
        self._all: list[ScratchTree] = []
        self.follow = False  # see ScratchTree.follow

    @asynccontextmanager
    async def tree(self, overlay: Mapping[str, str]) -> AsyncIterator[ScratchTree]:
        tree = self.take()
        try:
            if tree.small:
                tree.prepare(overlay)  # a few stats: cheaper than a thread hop
            else:
                await asyncio.to_thread(tree.prepare, overlay)
        except BaseException:
            self.give_back(tree)
            raise
        try:
            yield tree
        finally:
            self.give_back(tree)

    def take(self) -> ScratchTree:
        if self._free:
            tree = self._free.pop()
        else:
            tree = ScratchTree(self.root, self.base / f"tree{len(self._all)}" / self.root.name)
            self._all.append(tree)
        tree.follow = self.follow
        return tree

    def give_back(self, tree: ScratchTree) -> None:
        self._free.append(tree)

    def remove_all(self) -> None:
        for tree in self._all:
            tree.remove()
        self._all.clear()
        self._free.clear()
