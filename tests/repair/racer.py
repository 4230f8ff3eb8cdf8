"""A stand-in for an editor that saves at the worst moment: it appends when the file is opened.

Run as `python racer.py FILE TEXT [NTH]`. It watches FILE with the inotify system call (through
ctypes, no third-party package), prints "ready" once the watch is in place, and on the NTH open
of FILE by anyone (default the first) appends TEXT with a fresh `open(FILE, "a")`, as an editor
that saves by rewriting in place would, then prints "appended" and exits. A separate process, so
the append really races the writer instead of taking turns with it. Tests start it with
`start_racer`, which returns once the watch is in place.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import struct
import subprocess
import sys
from pathlib import Path

IN_OPEN = 0x00000020
IN_CLOEXEC = 0o2000000
_EVENT = struct.Struct("iIII")  # wd, mask, cookie, len (then len bytes of name)


def start_racer(path: Path, text: str, nth: int = 1) -> subprocess.Popen[str]:
    racer = subprocess.Popen(
        [sys.executable, __file__, str(path), text, str(nth)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert racer.stdout is not None and racer.stderr is not None
    ready = racer.stdout.readline()
    assert ready == "ready\n", racer.stderr.read()
    return racer


def main() -> int:
    path, text = sys.argv[1], sys.argv[2]
    nth = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    fd = libc.inotify_init1(IN_CLOEXEC)
    if fd < 0:
        raise OSError(ctypes.get_errno(), "inotify_init1")
    if libc.inotify_add_watch(fd, os.fsencode(path), IN_OPEN) < 0:
        raise OSError(ctypes.get_errno(), "inotify_add_watch")
    print("ready", flush=True)
    seen = 0
    while seen < nth:
        data = os.read(fd, 4096)
        offset = 0
        while offset < len(data):
            _wd, mask, _cookie, length = _EVENT.unpack_from(data, offset)
            offset += _EVENT.size + length
            if mask & IN_OPEN:
                seen += 1
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(text)
    print("appended", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
