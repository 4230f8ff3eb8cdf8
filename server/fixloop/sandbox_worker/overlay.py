"""The candidate as an import hook: overlaid files are served from memory instead of the disk.

A forked child installs `OverlayFinder` first on `sys.meta_path`, so `import target` (and every
`from target import name`) compiles the candidate text, while the file on disk stays the user's
original. Standard library only.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import os
import sys
from collections.abc import Mapping, Sequence
from types import ModuleType

from .errors import ROOT
from .protocol import RunRequest


class OverlayFinder(importlib.abc.MetaPathFinder):
    """Serves overlaid files (absolute path -> text) in place of the files on disk."""

    def __init__(self, overlay: Mapping[str, str]) -> None:
        self.overlay = overlay

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None = None,
        target: ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.origin not in self.overlay:
            return None
        origin = str(spec.origin)
        text = self.overlay[origin]

        class _Loader(importlib.machinery.SourceFileLoader):
            def get_code(self, name: str | None) -> object:  # type: ignore[override]
                return compile(text, origin, "exec", dont_inherit=True)

        spec.loader = _Loader(fullname, origin)
        return spec


def install(request: RunRequest) -> dict[str, str]:
    """Install the request's overlay (relative path -> text); returns it by absolute path."""
    overlay = {os.path.join(ROOT, rel): text for rel, text in request.get("overlay", {}).items()}
    if overlay:
        sys.meta_path.insert(0, OverlayFinder(overlay))
    return overlay
