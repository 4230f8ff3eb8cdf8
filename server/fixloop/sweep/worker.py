"""A local sweep worker: `python -m fixloop.sweep.worker`, one of the N processes of `--executor local`.

The driver talks to it over its stdin and stdout in frames (a 4-byte big-endian length, then a
JSON object): first `{"snapshot": BASE64}`, the project it works on, then one `{"job": JOB}` at
a time, each answered by `{"result": RESULT}`. Everything else the process or the loop might
print goes to stderr, so the frames cannot be corrupted. Secrets (a model's key, for the model
engine) arrive as in `fixloop.secretenv`: through an inherited pipe, never the environment.
The worker keeps one event loop for its whole life and holds its process's shared sandbox for
the jobs' settings from the first job on, so every job it runs uses that one sandbox (one
sandbox per worker, not one per job); it closes when the worker ends.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import shutil
import struct
import sys
import tempfile
from pathlib import Path
from typing import Any, BinaryIO

from fixloop.sweep.model import Job
from fixloop.sweep.runner import hold_shared_sandbox, release_shared_sandbox, run_job_async
from fixloop.sweep.snapshot import unpack

HEADER = struct.Struct(">I")
MAX_FRAME = 1 << 30


def read_frame(stream: BinaryIO) -> dict[str, Any] | None:
    header = stream.read(HEADER.size)
    if len(header) < HEADER.size:
        return None
    (size,) = HEADER.unpack(header)
    if size > MAX_FRAME:
        raise ValueError(f"frame of {size} bytes is larger than {MAX_FRAME}")
    body = stream.read(size)
    if len(body) < size:
        return None
    value = json.loads(body)
    if not isinstance(value, dict):
        raise ValueError("a frame must hold a JSON object")
    return value


def encode_frame(value: dict[str, Any]) -> bytes:
    body = json.dumps(value).encode()
    return HEADER.pack(len(body)) + body


def main() -> int:
    from fixloop.secretenv import secret_environ

    secret_environ()  # take the secrets out of the inherited pipe now, before any job runs
    frames_out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # whatever else writes to stdout lands on stderr
    frames_in = sys.stdin.buffer
    first = read_frame(frames_in)
    if first is None or not isinstance(first.get("snapshot"), str):
        print("fixloop sweep worker: expected the snapshot first", file=sys.stderr)
        return 2
    snapshot = base64.b64decode(first["snapshot"])
    return asyncio.run(_serve(snapshot, frames_in, frames_out))


async def _serve(snapshot: bytes, frames_in: BinaryIO, frames_out: BinaryIO) -> int:
    # One copy of the project for every job (the loop never writes it), so the shared
    # sandbox serves one project root, not one per job.
    workdir = Path(tempfile.mkdtemp(prefix="fixloop-sweep-worker-"))
    project = workdir / "project"
    unpack(snapshot, project)
    held = None
    try:
        while True:
            # Read off the loop: the shared sandbox's spares start meanwhile.
            frame = await asyncio.to_thread(read_frame, frames_in)
            if frame is None:
                return 0
            job = Job.from_json(frame["job"])
            if held is None:
                held = await hold_shared_sandbox(job.settings)
            result = await run_job_async(snapshot, job, project=project)
            frames_out.write(encode_frame({"result": result.to_json()}))
            frames_out.flush()
    finally:
        release_shared_sandbox(held)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
