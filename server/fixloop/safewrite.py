"""Writing the user's files without losing anything: owner, links, encoding, or a racing save.

`write_fix` applies a verified fix to a file that exists. It writes in place: the same inode is
truncated and rewritten, so the owner, group, mode, ACLs, extended attributes and every hard link
stay as they were, and a symlink keeps pointing at the file it names (the target is written).
A rename-based replace would lose some of those and, worse, cannot see a save that an editor
makes through a descriptor it opened before the rename. To keep a racing save, the write holds a
write lease (`F_SETLEASE`) from the final check until the data is on disk: any other open of the
file waits for those few milliseconds, so a save lands after the fix, in the file. The old
content stays in memory and in a backup under the state directory until the new content is
fsynced, and is written back if the write fails. Without a lease (a file owned by someone else,
a file system without leases) the content is re-checked right before and after the write, and
whatever the file held when something else wrote it is kept in `FILE.orig`, never dropped.
`create_file` writes a file that must not exist yet, `write_output` one under a directory fixloop
writes into (task output); neither follows a symlink.
"""

from __future__ import annotations

import contextlib
import enum
import errno
import fcntl
import os
import signal
import stat
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

LEASE_ATTEMPTS = 20  # another process holding the file open: wait up to about a second
LEASE_RETRY_SECONDS = 0.05


class WriteOutcome(enum.Enum):
    WRITTEN = "written"
    CHANGED = "changed"  # the file no longer held the text the fix was made for: not written
    RACED = "raced"  # something wrote to it during our write: its content is in FILE.orig
    REPLACED = "replaced"  # the name now points at another file (a save by rename): not applied


@dataclass(frozen=True)
class WriteReport:
    outcome: WriteOutcome
    path: Path  # the file that was (or would have been) written, symlinks resolved
    leased: bool  # whether other opens were held off during the write
    kept: Path | None = None  # where the racing content went (RACED only)

    @property
    def ok(self) -> bool:
        return self.outcome is WriteOutcome.WRITTEN

    def message(self, shown: str) -> str:
        """One line for the user, naming the file as they typed it (`shown`)."""
        if self.outcome is WriteOutcome.WRITTEN:
            return f"wrote {shown}"
        if self.outcome is WriteOutcome.CHANGED:
            return f"{shown} changed while fixloop ran; not written"
        if self.outcome is WriteOutcome.REPLACED:
            return f"{shown} was replaced by another program while fixloop wrote it; not applied"
        return (
            f"{shown} was changed by another program while fixloop wrote it; what the file held "
            f"then is kept in {self.kept}; compare it with {shown}"
        )


def write_fix(path: Path, expected: str, new: str, encoding: str) -> WriteReport:
    """Replace the content of `path` (which must hold `expected`) with `new`, in place.

    Raises OSError when the file cannot be opened or written (the message names the reason);
    the file then holds its old content.
    """
    real = Path(os.path.realpath(path))
    new_bytes = new.encode(encoding)
    # Non-blocking, so that a FIFO put at the name cannot hang the write; checked below.
    fd = os.open(real, os.O_RDWR | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise IsADirectoryError(errno.EISDIR, "not a regular file", str(real))
        with _write_lease(fd) as leased:
            old_bytes = _read_all(fd)
            if _decoded(old_bytes, encoding) != expected:
                return WriteReport(WriteOutcome.CHANGED, real, leased)
            backup = _backup(real, old_bytes)
            try:
                if not leased and _read_all(fd) != old_bytes:
                    # The last look before the write: without a lease, this is how close the
                    # check can get to the write.
                    return WriteReport(WriteOutcome.CHANGED, real, leased)
                _replace_content(fd, old_bytes, new_bytes)
                found = _read_all(fd)
            finally:
                if backup is not None:
                    with contextlib.suppress(OSError):
                        backup.unlink()
        if found != new_bytes:
            return WriteReport(WriteOutcome.RACED, real, leased, _keep_beside(real, found))
        if not _same_file(real, fd):
            return WriteReport(WriteOutcome.REPLACED, real, leased)
        return WriteReport(WriteOutcome.WRITTEN, real, leased)
    finally:
        os.close(fd)


def _decoded(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _read_all(fd: int) -> bytes:
    chunks: list[bytes] = []
    offset = 0
    while True:
        chunk = os.pread(fd, 1 << 20, offset)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        offset += len(chunk)


def _write_at(fd: int, data: bytes) -> None:
    view = memoryview(data)
    offset = 0
    while offset < len(data):
        offset += os.pwrite(fd, view[offset:], offset)


def _replace_content(fd: int, old: bytes, new: bytes) -> None:
    """Write `new` over the file; on any failure put `old` back (it fitted before)."""
    try:
        _write_at(fd, new)
        os.ftruncate(fd, len(new))
        os.fsync(fd)
    except OSError:
        with contextlib.suppress(OSError):
            _write_at(fd, old)
            os.ftruncate(fd, len(old))
            os.fsync(fd)
        raise


def _same_file(path: Path, fd: int) -> bool:
    try:
        named, held = os.stat(path), os.fstat(fd)
    except OSError:
        return False
    return (named.st_dev, named.st_ino) == (held.st_dev, held.st_ino)


@contextlib.contextmanager
def _write_lease(fd: int) -> Iterator[bool]:
    """Hold a write lease on `fd` while the block runs; yields whether one was obtained.

    The kernel tells a lease holder about a waiting open with SIGIO, whose default action ends
    the process; it is ignored for the few milliseconds the lease lasts. Only the main thread
    may change a signal's handling, so elsewhere the write goes without a lease.
    """
    if threading.current_thread() is not threading.main_thread():
        yield False
        return
    previous = signal.signal(signal.SIGIO, signal.SIG_IGN)
    leased = False
    try:
        for _ in range(LEASE_ATTEMPTS):
            try:
                fcntl.fcntl(fd, fcntl.F_SETLEASE, fcntl.F_WRLCK)
                leased = True
                break
            except OSError as error:
                if error.errno != errno.EAGAIN:
                    break  # not the owner, or no lease support on this file system
                time.sleep(LEASE_RETRY_SECONDS)  # someone has it open right now
        yield leased
    finally:
        if leased:
            with contextlib.suppress(OSError):
                fcntl.fcntl(fd, fcntl.F_SETLEASE, fcntl.F_UNLCK)
        signal.signal(signal.SIGIO, previous)


def backup_dir() -> Path:
    from fixloop.transcript import state_dir

    return state_dir() / "backups"


def _backup(real: Path, data: bytes) -> Path | None:
    """The old content on disk (0600, fsynced) while the file is rewritten, so that a crash in
    the middle leaves it recoverable; None when the state directory is not writable."""
    try:
        directory = backup_dir()
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        target = directory / f"{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}-{real.name}"
        create_bytes(target, data, mode=0o600)
    except OSError:
        return None
    return target


def _keep_beside(real: Path, data: bytes) -> Path:
    """Save `data` as FILE.orig (or FILE.orig.N when that exists) beside the file."""
    for index in range(1000):
        candidate = real.with_name(real.name + (".orig" if index == 0 else f".orig.{index}"))
        try:
            create_bytes(candidate, data, mode=os.stat(real).st_mode & 0o666)
        except FileExistsError:
            continue
        return candidate
    raise FileExistsError(f"too many {real.name}.orig files beside {real}")


def create_bytes(path: Path, data: bytes, *, mode: int = 0o644) -> None:
    """Create `path` with `data`; FileExistsError when anything (a symlink too) is there."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, mode)
    try:
        _write_at(fd, data)
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        path.unlink(missing_ok=True)
        raise
    os.close(fd)


def create_file(path: Path, text: str, encoding: str = "utf-8") -> None:
    """Create a new text file; never overwrites one and never follows a symlink."""
    create_bytes(path, text.encode(encoding))


def write_output(directory: Path, relative: PurePosixPath, data: bytes) -> Path:
    """Write `directory/relative` for a directory fixloop writes into (task output): each
    component is opened without following symlinks, so a planted link cannot send the write
    elsewhere; a regular file already there is rewritten in place, anything else is refused."""
    directory.mkdir(parents=True, exist_ok=True)
    parts = relative.parts
    if not parts or any(part in ("", ".", "..") for part in parts):
        raise ValueError(f"not a relative file name: {relative}")
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        for part in parts[:-1]:
            with contextlib.suppress(FileExistsError):
                os.mkdir(part, 0o755, dir_fd=fd)
            inner = os.open(
                part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=fd
            )
            os.close(fd)
            fd = inner
        flags = os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
        out = os.open(parts[-1], flags, 0o644, dir_fd=fd)
    finally:
        os.close(fd)
    try:
        if not stat.S_ISREG(os.fstat(out).st_mode):
            raise IsADirectoryError(errno.EISDIR, "not a regular file", str(directory / relative))
        _write_at(out, data)
        os.ftruncate(out, len(data))
    finally:
        os.close(out)
    return directory.joinpath(*parts)
