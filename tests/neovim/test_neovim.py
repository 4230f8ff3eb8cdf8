"""A second, independent LSP client: headless Neovim (Debian's 0.7) fixes a file through fixloop."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent
BUGGY = "def mean(xs):\n    return sum(xs) / len(xs)\n\n\nprint(mean([]))\n"


def test_neovim_runs_fixes_and_applies(tmp_path: Path) -> None:
    assert shutil.which("nvim"), (
        "nvim is missing: scripts/install-system.sh installs Debian's neovim"
    )
    source = tmp_path / "stats.py"
    source.write_text(BUGGY)
    report_path = tmp_path / "report.json"
    env = {
        **{k: v for k, v in os.environ.items() if not k.endswith(("_KEY", "_TOKEN", "_SECRET"))},
        "FIXLOOP_NVIM_FILE": str(source),
        "FIXLOOP_NVIM_REPORT": str(report_path),
        "FIXLOOP_NVIM_PYTHON": sys.executable,
        "FIXLOOP_STATE_DIR": str(tmp_path / "state"),
        "XDG_STATE_HOME": str(tmp_path / "xdg-state"),
        "XDG_DATA_HOME": str(tmp_path / "xdg-data"),
        "XDG_CONFIG_HOME": str(tmp_path / "xdg-config"),
    }
    completed = subprocess.run(
        ["nvim", "--headless", "--clean", "-c", f"luafile {HERE / 'fix_flow.lua'}"],
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        stdin=subprocess.DEVNULL,
    )
    assert report_path.exists(), completed.stderr[-2000:]
    report = json.loads(report_path.read_text())
    assert report["ok"] is True, (report, completed.stderr[-2000:])
    steps = {step["name"]: step["value"] for step in report["steps"]}
    assert steps["runFile"] == "error"
    assert steps["diagnostic"]["code"] == "ZeroDivisionError" and steps["diagnostic"]["line"] == 1
    assert steps["diagnostic"]["vim"] == 1  # Neovim's own diagnostic list holds it too
    assert steps["action"] == "Debug and fix: ZeroDivisionError"
    assert steps["fix"]["verified"] is True and steps["fix"]["proof"].startswith(
        "ZeroDivisionError ->"
    )
    assert steps["apply"].startswith("Apply verified fix: ")
    assert steps["rerun"] == "ok"
    assert report["buffer"] != BUGGY.rstrip("\n") and "len(xs)" in report["buffer"]
    assert source.read_text() == BUGGY  # the edit went to the buffer; nothing wrote the file
