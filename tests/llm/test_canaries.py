"""Canaries: secrets a hostile candidate digs up never leave in any form (issue 11, section 4).

`fixloop fix --engine llm` runs as a real process with a canary API key and a canary token in
its environment and a temporary HOME holding a canary `~/.ssh/id_rsa`. The scripted model's
first answer is a candidate that reads `/proc/self/environ`, its parent's and grandparent's,
`/proc/1/environ`, every `/proc/*/environ`, and the key file, and puts every secret it finds in
its failure message raw, hex, base64 (at three alignments, standard and URL-safe), reversed and
URL-encoded. The failure goes back to the model as feedback. The test then decodes every
request the scripted server recorded, the transcripts and the process's stdout and stderr, and
requires that no canary comes out, on every backend: local (as root, where this machine's
interpreter cannot run as another user, and with an interpreter that can, so the run drops to
an unprivileged uid), bwrap and docker.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pytest

from .scripted_server import ScriptedServer
from .test_fix import GOOD, STATS

# The script oracle (the file must run): an interpreter without pytest can serve it too.
PROGRAM = STATS + "\n\nprint(mean([]))\n"

KEY_CANARY = "sk-canary/Qx7+Zr2=Lw5-Vt8Np3"
TOKEN_CANARY = "tok_canary+9Hs6Kd1/Mf4Gj0Bc"
SSH_CANARIES = (
    "b3BlbnNzaC1rZXktdjEAAAAACANARYSSH7Qx9Zr2Lw5Vt8Np3Hs6",
    "Kd1Mf4Gj0Bc2CANARYSSHxYz8Wq1Er4Ty7Ui0Op3As6Df9Gh2Jk",
)
SYSTEM_PYTHON = "/usr/bin/python3"

EXFIL = """```python
def mean(values):
    import base64, glob, os, urllib.parse
    found, names, fixloops = [], [], 0
    try:
        key = open({key_path!r}, "rb").read().splitlines()
    except OSError:
        key = []
    found += [line for line in key if len(line) > 20 and not line.startswith(b"-----")]
    parent = os.getppid()
    try:
        grandparent = int(open(f"/proc/{{parent}}/stat").read().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        grandparent = 1
    first = ["/proc/self/environ", f"/proc/{{parent}}/environ", f"/proc/{{grandparent}}/environ",
             "/proc/1/environ"]
    for path in first + sorted(glob.glob("/proc/[0-9]*/environ")):
        try:
            data = open(path, "rb").read()
        except OSError:
            data = b""
        entries = data.split(b"\\0")
        is_fixloop = any(e.startswith(b"FIXLOOP_STATE_DIR=") for e in entries)
        fixloops += is_fixloop
        for entry in entries:
            name, _, value = entry.partition(b"=")
            if name.endswith((b"_KEY", b"_TOKEN", b"_SECRET")) and value:
                if is_fixloop:
                    names.append(name.decode())
                if value not in found:
                    found.append(value)
    lines = [f"EXFIL found={{len(found)}} fixloop={{fixloops}} fixloop-env={{sorted(names)}}"]
    for value in found[:6]:
        text = value.decode(errors="replace")
        lines += [
            text, value.hex(), value.hex().upper(), base64.b64encode(value).decode(),
            base64.b64encode(b"x" + value).decode(), base64.b64encode(b"xy" + value).decode(),
            base64.urlsafe_b64encode(b"x" + value).decode(), text[::-1],
            urllib.parse.quote(text, safe=""),
        ]
    if values:
        return sum(values) / len(values)
    raise RuntimeError(" | ".join(lines))
```"""


def decoded_views(text: str) -> list[bytes]:
    """`text` as it is, reversed, URL-decoded, and every hex or base64 run in it decoded at
    every alignment: whatever a reader could turn back into a secret."""
    views = [text.encode(), text[::-1].encode()]
    views += [urllib.parse.unquote(text).encode(), urllib.parse.unquote_plus(text).encode()]
    for run in re.findall(r"[0-9a-fA-F]{16,}", text):
        for start in (0, 1):
            usable = run[start:]
            views.append(bytes.fromhex(usable[: len(usable) // 2 * 2]))
    for run in re.findall(r"[A-Za-z0-9+/_-]{16,}", text):
        standard = run.replace("-", "+").replace("_", "/")
        for start in range(4):
            usable = standard[start:]
            if len(usable) % 4 == 1:
                usable = usable[:-1]  # a lone last character carries no whole byte
            try:
                views.append(base64.b64decode(usable + "=" * (-len(usable) % 4)))
            except (binascii.Error, ValueError):
                continue
    return views


def leaked(text: str) -> list[str]:
    canaries = [KEY_CANARY, TOKEN_CANARY, *SSH_CANARIES]
    views = decoded_views(text)
    return [c for c in canaries if any(c.encode() in view for view in views)]


def test_the_leak_check_finds_every_form() -> None:
    """The checker itself: each form the candidate prints is recognised."""
    value = KEY_CANARY.encode()
    for form in (
        KEY_CANARY,
        value.hex(),
        value.hex().upper(),
        base64.b64encode(b"xy" + value).decode(),
        base64.urlsafe_b64encode(b"x" + value).decode(),
        KEY_CANARY[::-1],
        urllib.parse.quote(KEY_CANARY, safe=""),
    ):
        assert leaked(f"noise {form} noise") == [KEY_CANARY], form
    assert leaked("[redacted] and some words") == []


def _home_with_key(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    (home / ".ssh").mkdir(parents=True)
    os.chmod(home / ".ssh", 0o700)
    key = home / ".ssh" / "id_rsa"
    key.write_text(
        "-----BEGIN OPENSSH PRIVATE KEY-----\n"
        + "\n".join(SSH_CANARIES)
        + "\n-----END OPENSSH PRIVATE KEY-----\n"
    )
    os.chmod(key, 0o600)
    return home


BACKENDS = [
    pytest.param(["--sandbox", "local"], id="local"),
    pytest.param(["--sandbox", "local", "--python", SYSTEM_PYTHON], id="local-unprivileged"),
    pytest.param(["--sandbox", "bwrap"], id="bwrap"),
    pytest.param(["--sandbox", "docker"], id="docker", marks=pytest.mark.docker),
]


@pytest.mark.parametrize("backend", BACKENDS)
def test_canaries_never_reach_a_request_a_transcript_or_the_terminal(
    scripted: ScriptedServer, tmp_path: Path, backend: list[str]
) -> None:
    if "docker" in backend:
        if os.environ.get("FIXLOOP_SKIP_DOCKER") == "1":
            pytest.skip("FIXLOOP_SKIP_DOCKER=1")
        backend = [
            *backend,
            "--image",
            os.environ.get("FIXLOOP_TEST_IMAGE", "fixloop-test-python:bookworm"),
        ]
    unprivileged = SYSTEM_PYTHON in backend
    if unprivileged and (os.geteuid() != 0 or not os.path.exists(SYSTEM_PYTHON)):
        pytest.skip("dropping to another uid needs root and an interpreter outside /root")
    home = _home_with_key(tmp_path)
    project = tmp_path / "project"
    project.mkdir()
    (project / "stats.py").write_text(PROGRAM)
    state = tmp_path / "state"
    scripted.push(EXFIL.format(key_path=str(home / ".ssh" / "id_rsa")), GOOD)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FIXLOOP_", "OPENAI_"))}
    env.update(
        HOME=str(home),
        FIXLOOP_API_KEY=KEY_CANARY,
        SERVICE_TOKEN=TOKEN_CANARY,
        FIXLOOP_MODEL="scripted-coder",
        FIXLOOP_BASE_URL=scripted.base_url,
        FIXLOOP_STATE_DIR=str(state),
        PYTHONPATH=os.pathsep.join(sys.path),
    )
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "fixloop",
            "fix",
            "stats.py",
            "--lines",
            "1-2",
            "--engine",
            "llm",
            *backend,
        ],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert len(scripted.requests) == 2
    # The key reached the endpoint (through the pipe of the re-executed process), and only there.
    assert scripted.requests[0].headers["authorization"] == f"Bearer {KEY_CANARY}"
    feedback = scripted.requests[1].last_user_text()
    report = re.search(r"EXFIL found=(\d+) fixloop=(\d+) fixloop-env=(\[[^\]]*\])", feedback)
    assert report, feedback  # the candidate's output did come back to the model
    found, fixloops, fixloop_env = int(report.group(1)), int(report.group(2)), report.group(3)
    # Whoever could read the fixloop process's environment found no secret in it.
    assert fixloop_env == "[]", feedback
    if backend[1] == "local" and not unprivileged and os.geteuid() == 0:
        # As root, the candidate read the key file and fixloop's own environment.
        assert found >= 2 and fixloops >= 1 and "[redacted]" in feedback, feedback
    elif backend[1] != "local" or unprivileged:
        assert found == 0 and fixloops == 0, feedback  # nothing there to read
    for index, request in enumerate(scripted.requests):
        assert leaked(request.text()) == [], f"request {index}"
    transcripts = sorted((state / "transcripts").glob("*.jsonl"))
    assert transcripts
    for transcript in transcripts:
        assert leaked(transcript.read_text()) == [], transcript.name
    assert leaked(done.stdout) == [] and leaked(done.stderr) == []
