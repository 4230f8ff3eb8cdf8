"""`fixloop fix` output with control characters: escaped on a terminal, exact in a pipe and --json.

The file carries a raw terminal escape sequence next to the bug (a line hidden with "conceal"
that a reviewer would not see). The real console script runs with its stdout on a real pseudo
terminal, then on a pipe, then with `--json`.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
from pathlib import Path

HIDDEN = "\x1b[8m"
PROGRAM = (
    f'def half(number):\n    label = "{HIDDEN}hidden"\n    return numbr / 2\n\n\nprint(half(4))\n'
)


def run_on_terminal(args: list[str], cwd: Path) -> tuple[int, str, str]:
    """Run fixloop with stdout on a pseudo terminal; (exit code, terminal text, stderr)."""
    controller, terminal = os.openpty()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FIXLOOP_MODEL", "OPENAI"))}
    process = subprocess.Popen(
        [sys.executable, "-m", "fixloop", *args],
        cwd=cwd,
        env=env,
        stdout=terminal,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
    )
    os.close(terminal)
    shown = bytearray()
    while True:
        ready, _, _ = select.select([controller], [], [], 120)
        if not ready:
            break
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # EIO: the terminal's other side closed
            break
        if not chunk:
            break
        shown.extend(chunk)
    os.close(controller)
    assert process.stderr is not None
    stderr = process.stderr.read().decode()
    return process.wait(timeout=120), shown.decode(), stderr


def test_diff_on_a_terminal_shows_escapes_and_pipes_get_exact_text(tmp_path: Path) -> None:
    (tmp_path / "prog.py").write_text(PROGRAM)
    code, shown, stderr = run_on_terminal(["fix", "prog.py"], tmp_path)
    assert code == 0, stderr
    assert "+    return number / 2" in shown
    assert "\x1b" not in shown and '\\x1b[8mhidden"' in shown

    env = {k: v for k, v in os.environ.items() if not k.startswith(("FIXLOOP_MODEL", "OPENAI"))}
    piped = subprocess.run(
        [sys.executable, "-m", "fixloop", "fix", "prog.py"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert piped.returncode == 0 and f'{HIDDEN}hidden"' in piped.stdout  # applies with patch
    as_json = subprocess.run(
        [sys.executable, "-m", "fixloop", "fix", "prog.py", "--json"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert f'{HIDDEN}hidden"' in json.loads(as_json.stdout)["diff"]
    assert (tmp_path / "prog.py").read_text() == PROGRAM
