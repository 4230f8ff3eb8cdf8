"""`fixloop.safewrite` on real files: what a write keeps, and a save that races it.

The race test starts a separate process (`racer.py`) that appends to the file the moment the
writer opens it, through the inotify system call, the way an editor's save can land between the
final check and the write. Each race runs 20 times; after every round the appended text must be
in the file, or in FILE.orig with the outcome saying so. Nothing here is mocked.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from fixloop.patch import read_source
from fixloop.safewrite import (
    WriteOutcome,
    create_file,
    write_fix,
    write_output,
)

from .racer import start_racer

OLD = "def mean(values):\n    return sum(values) / len(values) + 1\n"
NEW = "def mean(values):\n    return sum(values) / len(values)\n"
ROUNDS = 20


@pytest.fixture(autouse=True)
def state_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    state = tmp_path_factory.mktemp("state")
    monkeypatch.setenv("FIXLOOP_STATE_DIR", str(state))
    return state


def test_owner_group_mode_and_inode_survive(tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("giving a file to uid 1234 needs root")
    path = tmp_path / "mod.py"
    path.write_text(OLD)
    os.chown(path, 1234, 1234)
    os.chmod(path, 0o640)
    inode = path.stat().st_ino
    report = write_fix(path, OLD, NEW, "utf-8")
    assert report.outcome is WriteOutcome.WRITTEN and report.leased
    info = path.stat()
    assert (info.st_uid, info.st_gid, info.st_mode & 0o7777) == (1234, 1234, 0o640)
    assert info.st_ino == inode
    assert path.read_text() == NEW
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mod.py"]


def test_a_hard_link_sees_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "mod.py"
    path.write_text(OLD)
    other = tmp_path / "same_file.py"
    os.link(path, other)
    assert write_fix(path, OLD, NEW, "utf-8").ok
    assert other.read_text() == NEW and path.stat().st_nlink == 2


def test_a_symlink_stays_a_link_and_its_target_is_written(tmp_path: Path) -> None:
    target = tmp_path / "real" / "mod.py"
    target.parent.mkdir()
    target.write_text(OLD)
    link = tmp_path / "mod.py"
    link.symlink_to(Path("real") / "mod.py")
    report = write_fix(link, OLD, NEW, "utf-8")
    assert report.ok and report.path == target
    assert link.is_symlink() and os.readlink(link) == str(Path("real") / "mod.py")
    assert target.read_text() == NEW


def test_encoding_bom_and_crlf_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "bom.py"
    path.write_bytes("\ufeffname = 'café'\r\nx = 1\r\n".encode())
    text, encoding = read_source(path)
    assert encoding == "utf-8-sig" and text == "name = 'café'\r\nx = 1\r\n"
    assert write_fix(path, text, text.replace("1", "2"), encoding).ok
    assert path.read_bytes() == "\ufeffname = 'café'\r\nx = 2\r\n".encode()

    legacy = tmp_path / "legacy.py"
    original = "# -*- coding: latin-1 -*-\r\nname = 'café'\r\n"
    legacy.write_bytes(original.encode("latin-1"))
    text, encoding = read_source(legacy)
    assert text == original and encoding == "iso-8859-1"
    assert write_fix(legacy, text, text.replace("café", "crème"), encoding).ok
    assert legacy.read_bytes() == "# -*- coding: latin-1 -*-\r\nname = 'crème'\r\n".encode(
        "latin-1"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bom.py", "legacy.py"]


def test_a_file_changed_since_the_fix_was_made_is_not_written(tmp_path: Path) -> None:
    path = tmp_path / "mod.py"
    path.write_text(OLD + "# saved by the editor\n")
    report = write_fix(path, OLD, NEW, "utf-8")
    assert report.outcome is WriteOutcome.CHANGED
    assert "changed while fixloop ran; not written" in report.message("mod.py")
    assert path.read_text() == OLD + "# saved by the editor\n"


def test_a_failing_write_puts_the_old_content_back(tmp_path: Path, state_dir: Path) -> None:
    """A file-size limit stops the write half way (EFBIG); the file must hold the old text."""
    path = tmp_path / "mod.py"
    path.write_text(OLD)
    script = textwrap.dedent(
        f"""
        import resource, signal, sys
        from pathlib import Path
        from fixloop.safewrite import write_fix
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))
        try:
            write_fix(Path({str(path)!r}), {OLD!r}, {NEW!r} + "#" * 100_000 + "\\n", "utf-8")
        except OSError as error:
            print("refused:", error.strerror)
            sys.exit(0)
        sys.exit("the write should have failed")
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert "refused: File too large" in done.stdout
    assert path.read_text() == OLD
    assert list((state_dir / "backups").iterdir()) == []  # the backup went once the file was safe


def test_a_save_racing_the_write_is_never_lost(tmp_path: Path) -> None:
    outcomes: dict[str, int] = {}
    for round_number in range(ROUNDS):
        directory = tmp_path / f"round{round_number}"
        directory.mkdir()
        path = directory / "mod.py"
        path.write_text(OLD)
        saved = f"# editor save {round_number}\n"
        racer = start_racer(path, saved)
        report = write_fix(path, OLD, NEW, "utf-8")
        assert racer.wait(timeout=30) == 0
        final = path.read_text()
        kept = report.kept.read_text() if report.kept is not None else ""
        assert saved in final or saved in kept, (round_number, report, final)
        if report.outcome is WriteOutcome.WRITTEN:
            assert final == NEW + saved  # the save landed after the fix, in the file
        elif report.outcome is WriteOutcome.CHANGED:
            assert final == OLD + saved  # the save landed first: the fix was not written
        else:
            assert report.outcome is WriteOutcome.RACED and "kept in" in report.message("mod.py")
        outcomes[report.outcome.value] = outcomes.get(report.outcome.value, 0) + 1
    print("race outcomes:", outcomes)


def test_create_file_never_overwrites_or_follows_a_link(tmp_path: Path) -> None:
    create_file(tmp_path / "test_new.py", "def test_x():\n    pass\n")
    assert (tmp_path / "test_new.py").read_text() == "def test_x():\n    pass\n"
    with pytest.raises(FileExistsError):
        create_file(tmp_path / "test_new.py", "other")
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    (tmp_path / "test_link.py").symlink_to(victim)
    with pytest.raises(FileExistsError):
        create_file(tmp_path / "test_link.py", "overwritten")
    assert victim.read_text() == "keep me"


def test_write_output_refuses_symlinks_below_the_output_directory(tmp_path: Path) -> None:
    from pathlib import PurePosixPath

    out = tmp_path / "out"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert write_output(out, PurePosixPath("sub/result.txt"), b"1\n") == out / "sub" / "result.txt"
    assert write_output(out, PurePosixPath("sub/result.txt"), b"2\n").read_bytes() == b"2\n"
    (out / "linked").symlink_to(elsewhere)
    (out / "file_link.txt").symlink_to(elsewhere / "target.txt")
    for name in ("linked/result.txt", "file_link.txt"):
        with pytest.raises(OSError):
            write_output(out, PurePosixPath(name), b"escaped\n")
    assert list(elsewhere.iterdir()) == []
