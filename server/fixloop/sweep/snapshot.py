"""The project as it travels to a job: a snapshot in bytes, never a path on a shared disk.

`take_snapshot` reads the project's regular files (leaving out version control, virtual
environments, caches, and the sweep's own output folder) into a gzip'd tar held in memory, with
a digest per file. A worker on any machine gets those bytes (through its pipe, or Ray's object
store) and `unpack` writes them into a fresh private directory for the job, so two jobs never
share a tree and nothing depends on a file system the driver and the worker both see. Symlinks
and special files are not carried: a link could point outside the project.
"""

from __future__ import annotations

import hashlib
import io
import os
import tarfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from fixloop.oracle import SKIP_DIRS

# Beyond the oracle's list: caches that tools leave in a project and that no job needs.
EXTRA_SKIPPED = {".mypy_cache", ".pytest_cache", ".ruff_cache", ".hypothesis", ".eggs"}
MAX_FILE_BYTES = 16 * 1024 * 1024
MAX_SNAPSHOT_BYTES = 256 * 1024 * 1024


class SnapshotError(Exception):
    """The project cannot be carried (too large, unreadable)."""


@dataclass(frozen=True)
class Snapshot:
    """A project's files as one gzip'd tar (`data`) and the sha256 of each file."""

    data: bytes
    digests: tuple[tuple[str, str], ...]  # (relative posix path, sha256), sorted

    @property
    def files(self) -> tuple[str, ...]:
        return tuple(path for path, _ in self.digests)

    def digest_of(self, path: str) -> str | None:
        return dict(self.digests).get(path)


def _walk(root: Path, leave_out: Iterable[Path]) -> list[Path]:
    skipped = SKIP_DIRS | EXTRA_SKIPPED
    left_out = {path.resolve() for path in leave_out}
    found: list[Path] = []
    for current, dirnames, filenames in os.walk(root):
        here = Path(current)
        dirnames[:] = sorted(
            name
            for name in dirnames
            if name not in skipped
            and not name.endswith(".egg-info")
            and (here / name).resolve() not in left_out
            and not (here / name).is_symlink()
        )
        for name in sorted(filenames):
            path = here / name
            if path.is_symlink() or not path.is_file():
                continue
            if name.endswith((".pyc", ".pyo")):
                continue
            found.append(path)
    return found


def take_snapshot(root: Path, *, leave_out: Iterable[Path] = ()) -> Snapshot:
    """Read the project under `root` into a snapshot; `leave_out` names folders to skip."""
    buffer = io.BytesIO()
    digests: list[tuple[str, str]] = []
    total = 0
    # A fixed mtime and owner keep the bytes identical for identical trees.
    with tarfile.open(fileobj=buffer, mode="w:gz", compresslevel=6) as archive:
        for path in _walk(root, leave_out):
            relative = path.relative_to(root).as_posix()
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise SnapshotError(f"cannot read {relative}: {exc}") from exc
            if len(data) > MAX_FILE_BYTES:
                continue  # a data dump, not code: jobs never need it
            total += len(data)
            if total > MAX_SNAPSHOT_BYTES:
                raise SnapshotError(
                    f"the project is larger than {MAX_SNAPSHOT_BYTES >> 20} MiB of files"
                )
            info = tarfile.TarInfo(relative)
            info.size = len(data)
            info.mode = 0o755 if os.access(path, os.X_OK) else 0o644
            info.mtime = 0
            archive.addfile(info, io.BytesIO(data))
            digests.append((relative, hashlib.sha256(data).hexdigest()))
    return Snapshot(buffer.getvalue(), tuple(sorted(digests)))


def unpack(data: bytes, destination: Path) -> None:
    """Write a snapshot's files under `destination` (an empty private directory)."""
    destination.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        # The "data" filter refuses absolute names, `..`, links and devices: a snapshot made by
        # someone else cannot write outside the job's directory.
        archive.extractall(destination, filter="data")


def snapshot_text(data: bytes, path: str) -> str | None:
    """The text of one Python file in a snapshot, decoded as the loop reads it (its coding
    cookie honoured, line endings kept); None when the snapshot does not hold it."""
    import tokenize

    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        try:
            member = archive.extractfile(path)
        except KeyError:
            return None
        if member is None:
            return None
        raw = member.read()
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
        return raw.decode(encoding)
    except (SyntaxError, UnicodeDecodeError, LookupError):
        return None
