"""JSON-lines transcripts of repair loops, kept outside the user's workspace.

Every attempt (the baseline run, each candidate with its verdict, the final proof) becomes one
JSON object per line in `$FIXLOOP_STATE_DIR/transcripts/` (default `~/.cache/fixloop/
transcripts/`). Records hold code, outcomes and timings only: never the environment, keys or
home paths beyond the transcript's own location; every string in a record passes
`fixloop.redact`, so a secret a program printed (in any encoding) is written as `[redacted]`.
Write failures never break a repair.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any


def state_dir() -> Path:
    """fixloop's own files (transcripts, write backups): never inside the user's project."""
    state = os.environ.get("FIXLOOP_STATE_DIR")
    return Path(state) if state else Path.home() / ".cache" / "fixloop"


def transcript_dir() -> Path:
    return state_dir() / "transcripts"


class Transcript:
    def __init__(self, label: str) -> None:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in label)[:60] or "fix"
        self.path = transcript_dir() / f"{stamp}-{os.getpid()}-{id(self) & 0xFFFF:04x}-{safe}.jsonl"
        self._handle = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._handle = open(self.path, "a", encoding="utf-8")  # noqa: SIM115 - kept open for the loop
        except OSError:
            self._handle = None

    def write(self, kind: str, **fields: Any) -> None:
        if self._handle is None:
            return
        from fixloop.redact import redactor

        record = {"kind": kind, "time": round(time.time(), 3), **redactor().record(fields)}
        try:
            self._handle.write(json.dumps(record, default=str) + "\n")
            self._handle.flush()
        except OSError:
            pass

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None

    @property
    def location(self) -> str | None:
        return str(self.path) if self._handle is not None or self.path.exists() else None
