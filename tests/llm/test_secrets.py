"""Secrets leave fixloop's environment at start-up, and the redactor knows every form of them.

The first tests start the real language server (`fixloop serve`, `python -m fixloop.lsp`) with
canary secrets in its environment, complete an LSP `initialize` round trip over stdio, and read
the running process's `/proc/<pid>/environ`. The others check `fixloop.redact` on its own: which
values count as secrets and which spellings of them it removes.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pytest
from fixloop.redact import REDACTED, Redactor, forms, secret_files, values_in_file
from fixloop.secretenv import looks_secret

KEY = "sk-canary/Lm4+Pq8=Rs1-Tu6Vw9"
TOKEN = "gh_canary_7Yb2Nc5Xd8Ze1Af4"


def _message(body: dict[str, object]) -> bytes:
    data = json.dumps(body).encode()
    return f"Content-Length: {len(data)}\r\n\r\n".encode() + data


def _read_message(stream) -> dict:  # type: ignore[no-untyped-def]
    length = 0
    while (line := stream.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode().partition(":")
        if name.lower() == "content-length":
            length = int(value)
    return json.loads(stream.read(length))


@pytest.mark.parametrize(
    "command", [["-m", "fixloop", "serve"], ["-m", "fixloop.lsp"]], ids=["serve", "lsp"]
)
def test_the_running_server_holds_no_secret_in_its_environment(command: list[str]) -> None:
    env = {**os.environ, "FIXLOOP_API_KEY": KEY, "SERVICE_TOKEN": TOKEN}
    env["FIXLOOP_TOKEN_BUDGET"] = "12345"  # a setting that only mentions tokens stays
    server = subprocess.Popen(
        [sys.executable, *command],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert server.stdin is not None and server.stdout is not None
    try:
        server.stdin.write(
            _message(
                {
                    "jsonrpc": "2.0",
                    "id": 1,
                    "method": "initialize",
                    "params": {"processId": None, "rootUri": None, "capabilities": {}},
                }
            )
        )
        server.stdin.flush()
        reply = _read_message(server.stdout)
        while reply.get("id") != 1:  # notifications (log messages) may come first
            reply = _read_message(server.stdout)
        assert "capabilities" in reply["result"]
        environ = Path(f"/proc/{server.pid}/environ").read_bytes()
        entries = dict(e.split(b"=", 1) for e in environ.split(b"\0") if b"=" in e)
        assert KEY.encode() not in environ and TOKEN.encode() not in environ
        assert b"FIXLOOP_API_KEY" not in entries and b"SERVICE_TOKEN" not in entries
        assert b"FIXLOOP_SECRETS_FD" in entries  # it re-executed itself
        assert entries[b"FIXLOOP_TOKEN_BUDGET"] == b"12345"
    finally:
        server.kill()
        server.wait()


def test_without_secrets_nothing_is_re_executed() -> None:
    env = {k: v for k, v in os.environ.items() if not looks_secret(k)}
    shown = subprocess.run(
        [
            sys.executable,
            "-c",
            "import os, sys; sys.argv = ['fixloop', '--version']\n"
            "from fixloop.secretenv import reexec_without_secrets; reexec_without_secrets()\n"
            "print('FIXLOOP_SECRETS_FD' in open(f'/proc/{os.getpid()}/environ').read())",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert shown.stdout.strip() == "False", shown.stderr


def test_secret_names() -> None:
    for name in ("FIXLOOP_API_KEY", "OPENAI_API_KEY", "AWS_SECRET_ACCESS_KEY", "GITHUB_TOKEN"):
        assert looks_secret(name), name
    for name in ("DB_PASSWORD", "MY_SECRET_VALUE", "HF_TOKEN", "GITLAB_PAT"):
        assert looks_secret(name), name
    for name in ("FIXLOOP_TOKEN_BUDGET", "PATH", "SSH_AUTH_SOCK", "KEYTIMEOUT", "HOME"):
        assert not looks_secret(name), name


def test_every_form_of_a_secret_is_redacted() -> None:
    redact = Redactor([KEY])
    value = KEY.encode()
    spellings = [
        KEY,
        KEY[::-1],
        value.hex(),
        value.hex().upper(),
        urllib.parse.quote(KEY),
        urllib.parse.quote(KEY, safe=""),
        urllib.parse.quote_plus(KEY),
        "".join(f"%{b:02x}" for b in value),
    ]
    for prefix in (b"", b"a", b"ab", b"PATH=/usr/bin\0FIXLOOP_API_KEY="):
        spellings.append(base64.b64encode(prefix + value + b"\0HOME=/root").decode())
        spellings.append(base64.urlsafe_b64encode(prefix + value).decode())
    for spelling in spellings:
        shown = redact(f"before {spelling} after")
        assert REDACTED in shown, spelling
        assert KEY not in shown and value.hex() not in shown.lower()
    assert redact("an ordinary line of output") == "an ordinary line of output"
    assert all(len(form) >= 6 for form in forms(KEY))


def test_a_form_cut_by_a_truncation_is_still_redacted() -> None:
    redact = Redactor([KEY + KEY])  # a long secret whose hex is far longer than the cut
    hexed = (KEY + KEY).encode().hex()
    head, tail = hexed[:40], hexed[-40:]
    shown = redact(f"{head}\n[... 1000 characters cut ...]\n{tail}")
    assert head not in shown and tail not in shown and shown.count(REDACTED) == 2


def test_credential_files_are_found_and_read_line_by_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    (home / ".ssh").mkdir(parents=True)
    (home / ".ssh" / "id_ed25519").write_text(
        "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAAC3NzaC1lZDI1NTE5AAAAICanary9x8y7\n"
        "-----END OPENSSH PRIVATE KEY-----\n"
    )
    (home / ".ssh" / "id_ed25519.pub").write_text("ssh-ed25519 AAAAC3Nza public@host\n")
    (home / ".ssh" / "known_hosts").write_text("github.com ssh-ed25519 AAAA\n")
    (home / ".aws").mkdir()
    (home / ".aws" / "credentials").write_text(
        "[default]\naws_access_key_id = AKIACANARY1234567890\n"
        "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYCANARYKEY\n"
    )
    project = tmp_path / "work" / "project"
    project.mkdir(parents=True)
    (tmp_path / "work" / ".env").write_text("DATABASE_URL=postgres://app:s3cretPass99@db/app\n")
    (project / ".env").write_text("DEBUG=1\n")
    monkeypatch.setenv("HOME", str(home))
    names = {p.name for p in secret_files(project)}
    assert {"id_ed25519", "credentials", ".env"} <= names
    assert "id_ed25519.pub" not in names and "known_hosts" not in names
    assert project / ".env" not in set(secret_files(project))  # the project's own is code
    values = values_in_file((home / ".aws" / "credentials").read_text())
    assert "AKIACANARY1234567890" in values and "wJalrXUtnFEMI/K7MDENG/bPxRfiCYCANARYKEY" in values
    assert "aws_access_key_id" not in values and "[default]" not in values
