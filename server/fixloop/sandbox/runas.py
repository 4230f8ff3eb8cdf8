"""Who a `local` run executes as: when fixloop is root, an unprivileged uid of its own.

A program run by root could read every secret on the machine: `/proc/<fixloop pid>/environ`,
`~/.ssh`, root-only files. So when fixloop runs as root, `local` runs the program as a uid no
account uses (`RUN_UID_BASE` plus fixloop's pid, so concurrent fixloop processes do not share
one), with no supplementary groups, no capabilities and no-new-privileges, through util-linux's
`setpriv`. That uid owns the run's HOME, TMPDIR and project copy (handed over before each run,
since a reset copy comes back as root's), and nothing else.
The interpreter must then be reachable by any user: one under a private directory (a pyenv in
`/root`, say) is not, and the program runs as root as before, with a note saying why.
"""

from __future__ import annotations

import os
import shutil
import stat
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

RUN_UID_BASE = 1_900_000_000


@dataclass(frozen=True)
class RunIdentity:
    uid: int
    gid: int
    setpriv: str

    def command_prefix(self) -> list[str]:
        return [
            self.setpriv,
            f"--reuid={self.uid}",
            f"--regid={self.gid}",
            "--clear-groups",
            "--inh-caps=-all",
            "--bounding-set=-all",
            "--no-new-privs",
            "--",
        ]


def run_identity(python: str, scratch: Path) -> tuple[RunIdentity | None, str]:
    """The identity for runs of `python` in directories under `scratch`, or None with the
    reason the program stays root ("" when fixloop is not root: the program then simply runs
    as fixloop's user)."""
    if os.geteuid() != 0:
        return None, ""
    for directory in reversed(scratch.parents):
        if not _mode_has(directory, stat.S_IXOTH):
            return None, f"{directory} is not open to other users"
    setpriv = shutil.which("setpriv", path="/usr/bin:/bin:/usr/sbin:/sbin")
    if setpriv is None:
        return None, "setpriv (util-linux) is not installed"
    for path in interpreter_paths(python):
        blocked = _blocked_at(path)
        if blocked is not None:
            return None, f"{blocked} is not open to other users, so {python} cannot run as one"
    uid = RUN_UID_BASE + os.getpid() % 1_000_000
    return RunIdentity(uid, uid, setpriv), ""


def interpreter_paths(python: str) -> list[Path]:
    """What the program needs to reach: the interpreter and its installation prefix."""
    real = Path(os.path.realpath(python))
    paths = [real]
    if real == Path(os.path.realpath(sys.executable)):
        paths += [Path(sys.prefix), Path(sys.base_prefix), Path(sysconfig.get_paths()["stdlib"])]
    elif len(real.parents) > 1:
        paths.append(real.parents[1])  # .../bin/python3 -> the prefix holding lib/
    return paths


def _blocked_at(path: Path) -> Path | None:
    """The first directory on the way to `path` that other users cannot pass, or `path` when
    they cannot use it (execute a file, list a directory); None when all is open."""
    for directory in reversed(path.parents):
        if not _mode_has(directory, stat.S_IXOTH):
            return directory
    wanted = stat.S_IXOTH if path.is_file() else stat.S_IROTH | stat.S_IXOTH
    return None if _mode_has(path, wanted) else path


def _mode_has(path: Path, bits: int) -> bool:
    try:
        return os.stat(path).st_mode & bits == bits
    except OSError:
        return False


def give_tree(directory: Path, identity: RunIdentity) -> None:
    """Make every entry of `directory` (a project copy) owned by the run's uid, so the program
    can change its copy as it could before; symlinks themselves, never what they point to."""
    for current, _subdirs, filenames in os.walk(directory):
        for path in [Path(current), *(Path(current) / name for name in filenames)]:
            try:
                if path.lstat().st_uid != identity.uid:
                    os.lchown(path, identity.uid, identity.gid)
            except OSError:
                continue


def _add_mode(path: Path, bits: int) -> None:
    try:
        mode = path.lstat().st_mode
        if not stat.S_ISLNK(mode) and mode & bits != bits:
            os.chmod(path, stat.S_IMODE(mode) | bits)
    except OSError:
        pass


def let_pass(path: Path, stop: Path) -> None:
    """Give others search permission on `path` and its parents up to `stop` (inclusive)."""
    for directory in [path, *path.parents]:
        _add_mode(directory, stat.S_IXOTH)
        if directory == stop:
            return


def hand_over(directory: Path, identity: RunIdentity) -> None:
    """Make `directory` (a run's HOME or TMPDIR) the run's own, private to it."""
    os.chown(directory, identity.uid, identity.gid)
    os.chmod(directory, 0o700)
