"""The project copies inside a docker sandbox's containers, streamed in as tar archives.

The engine may be on another machine, so nothing is mounted: the first run of a project
streams the whole project into /workspace through an exec as the stager uid (which owns the
copy, so runs, as other uids, cannot change it). Later runs stream only what differs: the
overlay files that changed, and the project's originals of files no longer overlaid. A sandbox
shared by a whole session (`follow`) also streams the project files that changed on disk since
the last run and deletes the ones that are gone (see `projectstate`). The stager keeps a digest
of every file the copy holds, so a file whose wanted bytes are already there is not streamed
again: Run Tests (overlaying the module) and Run File (overlaying the script) alternate without
an exec each time, as long as the editor's text equals what the copy has.
"""

from __future__ import annotations

import hashlib
import io
import tarfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fixloop.sandbox.base import RunSpec, SandboxUnavailable
from fixloop.sandbox.dockerengine import WORKSPACE, exec_with_input
from fixloop.sandbox.projectstate import ProjectState
from fixloop.sandbox.workspace import check_overlay_path, project_files

STAGER_UID = 9999  # owns the project copy; runs use other uids and so cannot change it
_UNPACK = 'mkdir -p "$1" && cd "$1" && shift && rm -f -- "$@" && tar -x -m -f -'


@dataclass
class _Copy:
    """One project's copy in one container."""

    directory: str  # inside the container
    state: ProjectState  # the project on disk as last copied
    overlay: dict[str, str] = field(default_factory=dict)  # the last run's overlay
    # Relative path -> digest of the bytes the copy holds. Only the stager changes a copy, so
    # the digests are exact; a failed update forgets them (everything is rewritten).
    held: dict[str, bytes] = field(default_factory=dict)


class ProjectStager:
    """Which project copies the containers hold, with which overlay, and how to update them."""

    def __init__(self) -> None:
        self.follow = False
        self._copies: dict[tuple[bool, Path], _Copy] = {}  # (network, project root) -> copy

    def staged(self, spec: RunSpec) -> str | None:
        """The copy's directory when it needs no update for `spec` (without looking at disk)."""
        copy = self._copies.get((spec.network, spec.root.resolve()))
        if self.follow or copy is None or copy.overlay != dict(spec.overlay):
            return None
        return copy.directory

    def stage(self, client: Any, container: Any, spec: RunSpec) -> str:
        """Bring the copy in `container` up to date with the project and `spec.overlay`
        (blocking). Returns the project directory inside the container."""
        root = spec.root.resolve()
        key = (spec.network, root)
        deletions: list[str] = []
        writes: dict[str, bytes | None] = {}  # None: a directory
        copy = self._copies.get(key)
        if copy is None:
            entries = list(project_files(root))
            directory = f"{WORKSPACE}/p{len(self._copies)}/{_safe_name(root)}"
            copy = self._copies[key] = _Copy(directory, ProjectState.of(entries))
            for rel, source in entries:
                writes[rel] = None if source is None else source.read_bytes()
        elif self.follow:
            self._follow(writes, copy, root, spec.overlay, deletions)
        previous = copy.overlay
        for rel, text in spec.overlay.items():
            check_overlay_path(rel)
            writes[rel] = text.encode("utf-8")
        # The originals of files no longer overlaid: restored byte for byte from the project,
        # or deleted when they never existed.
        for rel in previous.keys() - spec.overlay.keys():
            original = root / rel
            if original.is_file():
                writes[rel] = original.read_bytes()
            elif rel not in deletions:
                deletions.append(rel)
        held = copy.held
        digests = {rel: _digest(data) for rel, data in writes.items() if data is not None}
        members = 0
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w") as archive:
            for rel, data in writes.items():
                if rel in digests and held.get(rel) == digests[rel]:
                    continue  # the copy holds these very bytes
                members += 1
                _add(archive, rel, data)
        copy.overlay = dict(spec.overlay)
        if members or deletions:  # unchanged: no exec at all
            updated = {rel: digest for rel, digest in held.items() if rel not in deletions}
            updated.update(digests)
            held.clear()  # unknown until the engine confirms the update
            code, output = exec_with_input(
                client,
                container,
                ["sh", "-c", _UNPACK, "sh", copy.directory, *deletions],
                buffer.getvalue(),
                user=f"{STAGER_UID}:{STAGER_UID}",
            )
            if code != 0:
                detail = output.decode("utf-8", errors="replace")[-500:]
                raise SandboxUnavailable(
                    f"docker sandbox: copying the project failed (exit {code}): {detail}"
                )
            held.update(updated)
        return copy.directory

    def _follow(
        self,
        writes: dict[str, bytes | None],
        copy: _Copy,
        root: Path,
        overlay: Mapping[str, str],
        deletions: list[str],
    ) -> None:
        """Add to `writes` what changed in the project since the last run (overlaid files
        excepted: the overlay decides those) and to `deletions` what is gone."""
        now = ProjectState.of(project_files(root))
        older = copy.state
        changes = now.changes_since(older)
        for rel in sorted(now.dirs - older.dirs):
            writes[rel] = None
        for rel in changes.changed:
            if rel not in overlay:
                writes[rel] = now.files[rel][0].read_bytes()
        deletions.extend(rel for rel in changes.removed if rel not in overlay)
        copy.state = now


def _digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


def _add(archive: tarfile.TarFile, rel: str, data: bytes | None) -> None:
    """A directory (data None) or a file, readable by the runs' uids."""
    info = tarfile.TarInfo(rel)
    if data is None:
        info.type, info.mode = tarfile.DIRTYPE, 0o755
        archive.addfile(info)
        return
    info.size, info.mode = len(data), 0o644
    archive.addfile(info, io.BytesIO(data))


def _safe_name(root: Path) -> str:
    name = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in root.name)
    return name.strip(".") or "project"
