"""`fixloop fix --write` through the real console script: what the write keeps, and racing saves.

The race starts `tests/writes/racer.py`, a separate process that appends to the file on its
NTH open (inotify), and runs `fixloop fix --write` against it 20 times with NTH moving over every
open the run makes, the last one being the write itself. Whatever happens, the appended text is
never lost: it is in the file, or in FILE.orig with a message and a non-zero exit.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from .racer import start_racer

BROKEN = "def half(number):\n    return numbr / 2\n\n\nprint(half(4))\n"
FIXED = "def half(number):\n    return number / 2\n\n\nprint(half(4))\n"
ROUNDS = 20


def test_write_keeps_owner_group_mode_and_hard_links(fixloop_fix, tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("giving a file to uid 1234 needs root")
    path = tmp_path / "prog.py"
    path.write_text(BROKEN)
    os.chown(path, 1234, 1234)
    os.chmod(path, 0o640)
    alias = tmp_path / "alias_of_prog.txt"
    os.link(path, alias)
    result = fixloop_fix("prog.py", "--write", cwd=tmp_path)
    assert result.code == 0, result.stderr
    assert "wrote prog.py" in result.stderr
    info = path.stat()
    assert (info.st_uid, info.st_gid, info.st_mode & 0o7777, info.st_nlink) == (
        1234,
        1234,
        0o640,
        2,
    )
    assert path.read_text() == FIXED and alias.read_text() == FIXED
    assert sorted(p.name for p in tmp_path.iterdir()) == ["alias_of_prog.txt", "prog.py"]


def test_write_through_a_symlink_writes_its_target(fixloop_fix, tmp_path: Path) -> None:
    (tmp_path / "impl").mkdir()
    target = tmp_path / "impl" / "prog.py"
    target.write_text(BROKEN)
    (tmp_path / "prog.py").symlink_to(Path("impl") / "prog.py")
    result = fixloop_fix("prog.py", "--write", cwd=tmp_path)
    assert result.code == 0, result.stderr
    assert (tmp_path / "prog.py").is_symlink()
    assert target.read_text() == FIXED


def test_a_save_racing_write_is_never_lost(fixloop_fix, tmp_path: Path) -> None:
    outcomes: dict[str, int] = {}
    for round_number in range(ROUNDS):
        project = tmp_path / f"round{round_number}"
        project.mkdir()
        path = project / "prog.py"
        path.write_text(BROKEN)
        saved = f"# editor save {round_number}\n"
        nth = 1 + round_number % 9  # a run opens the file about 8 times; the last is the write
        racer = start_racer(path, saved, nth)
        result = fixloop_fix("prog.py", "--write", cwd=project)
        try:
            appended = racer.wait(timeout=2) == 0
        except subprocess.TimeoutExpired:
            racer.kill()  # fewer opens than NTH: this round had no racing save
            racer.wait()
            appended = False
        final = path.read_text()
        origs = sorted(project.glob("prog.py.orig*"))
        kept = "".join(p.read_text() for p in origs)
        if not appended:
            assert result.code == 0 and final == FIXED, (round_number, result.stderr)
            outcome = "no race"
        elif saved in kept:
            assert result.code != 0 and "kept in" in result.stderr, (round_number, result.stderr)
            outcome = "kept in .orig"
        else:
            assert saved in final, (round_number, final, result.stderr)
            if result.code == 0:
                assert "wrote prog.py" in result.stderr
                assert "return number / 2" in final  # the fix and the save are both there
                outcome = "fix, then save"
            else:
                assert result.code == 2 and "changed while fixloop ran" in result.stderr
                assert final == BROKEN + saved
                outcome = "save first, not written"
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    print("race outcomes:", outcomes)
    assert outcomes.get("no race", 0) < ROUNDS  # the racer did race
