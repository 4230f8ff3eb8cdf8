"""Where a user-named file lies in a project: the one "inside the root?" check of the core.

A leaf module (no fixloop imports). The repair request (`fixloop.requests.prepare`), `fixloop run`
(`fixloop.execution`) and the test runs all place files the user named relative to the project
root with `relative_to_root`, which resolves symlinks and `..` first, so nothing outside the root
is ever accepted as a target or a test.
"""

from __future__ import annotations

from pathlib import Path


def relative_to_root(path: str | Path, root: Path) -> str:
    """`path` (absolute, or relative to root) as a POSIX path relative to root; ValueError if outside."""
    root = root.resolve()
    full = (root / path).resolve() if not Path(path).is_absolute() else Path(path).resolve()
    try:
        return full.relative_to(root).as_posix()
    except ValueError:
        raise ValueError(f"{path} is outside the project root {root}") from None
