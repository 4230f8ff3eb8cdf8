"""Removing scratch trees never touches the shared directory they live in.

Two processes reaping the same stale tree used to race: the one that found the tree gone ran
rmtree's error handler, which chmod-ed the tree's parent to 0700. That parent is /tmp, so every
other user of the machine lost it. These tests pin the parent's mode through that race and
through the handler's other paths.
"""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

from fixloop.sandbox.workspace import _force_remove, _loosen_and_retry


def _shared_parent(tmp_path: Path) -> Path:
    parent = tmp_path / "shared"
    parent.mkdir()
    os.chmod(parent, 0o1777)
    return parent


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_tree_already_gone_leaves_its_parent_alone(tmp_path: Path) -> None:
    parent = _shared_parent(tmp_path)
    tree = parent / "fixloop-scratch-gone"
    handler = _loosen_and_retry(tree)
    error = FileNotFoundError(2, "No such file or directory", str(tree))
    handler(os.rmdir, str(tree), (FileNotFoundError, error, None))
    assert _mode(parent) == 0o1777


def test_the_handler_loosens_only_directories_inside_the_tree(tmp_path: Path) -> None:
    parent = _shared_parent(tmp_path)
    tree = parent / "fixloop-scratch"
    inner = tree / "locked"
    inner.mkdir(parents=True)
    os.chmod(inner, 0)
    handler = _loosen_and_retry(tree)
    error = PermissionError(13, "Permission denied", str(inner))
    handler(os.rmdir, str(inner), (PermissionError, error, None))
    assert not inner.exists()
    handler(os.rmdir, str(tree), (PermissionError, error, None))
    assert not tree.exists()
    assert _mode(parent) == 0o1777


def test_two_reapers_racing_on_one_tree_keep_the_parent_mode(tmp_path: Path) -> None:
    parent = _shared_parent(tmp_path)
    for round_ in range(5):
        tree = parent / f"fixloop-scratch-{round_}"
        for folder in range(20):
            (tree / f"d{folder}").mkdir(parents=True)
            for name in range(50):
                (tree / f"d{folder}" / f"f{name}").write_text("x")
        errors: list[BaseException] = []

        threads = [threading.Thread(target=_reap, args=(tree, errors)) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert _mode(parent) == 0o1777, f"round {round_}: the shared parent's mode changed"
        assert errors == []
        assert not tree.exists()


def _reap(tree: Path, errors: list[BaseException]) -> None:
    try:
        _force_remove(tree)
    except BaseException as exc:  # the race may make rmtree fail: the test reports it
        errors.append(exc)
