"""The executor side of a model conversation: run a model-written program in the sandbox.

`ProgramExecutor.run(name, code, shell)` returns the sandbox's `RunResult` plus the files the
program created or changed, identically for every backend. Two ways to run, same answers:
- warm (the default for Python-only programs): a small worker, one per conversation, started
  with `Sandbox.start_process` (ahead of time, as a spare of the shared sandbox, when the
  conversation uses `fixloop.sandbox.shared`), forks one child per program, so a turn costs a
  fork instead of a sandbox set-up plus a fresh interpreter. The child runs in a private copy of the project
  directory, in its own session, with stdout/stderr in capped files and its own wall clock; the
  worker reports exit status, output and produced files as one JSON line.
- cold: one `Sandbox.run` of a runner script (used for allowed shell blocks, and whenever the
  warm worker is unavailable, dies or stops answering; it is then killed and not used again).
Both copy the project when its directory is read-only (bwrap, docker) and list the files the
program produced after a manifest mark, so nothing has to be fetched from inside the sandbox.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from fixloop.sandbox.base import Limits, RunResult, RunSpec, Sandbox, SandboxProcess, Status
from fixloop.settings import Settings

RUNNER = "_fixloop_task_runner.py"
WORKER = "_fixloop_task_worker.py"
SHELL_SCRIPT = "_fixloop_task_shell.sh"
INTERNAL = (RUNNER, WORKER, SHELL_SCRIPT)
MANIFEST_MARK = "@@fixloop-produced-files@@ "
MAX_FILE_BYTES = 256 * 1024
MAX_TOTAL_BYTES = 512 * 1024
MAX_SEED_BYTES = (
    8 * 1024 * 1024
)  # input files sent to a worker started ahead; more: a worker of its own
HOST_GRACE_SECONDS = 3.0
WORKER_WAIT_SECONDS = 0.1  # how long a turn waits for a starting warm worker before running cold

log = logging.getLogger(__name__)

# Shared by the runner and the worker: find what a program produced, copy and remove trees.
# Only C-level modules are imported: every millisecond here is paid on every turn.
_COMMON = f"""
import binascii, os, sys

def _snapshot(top):
    found = {{}}
    for folder, dirs, files in os.walk(top):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        for name in files:
            path = os.path.join(folder, name)
            try:
                info = os.stat(path)
            except OSError:
                continue
            found[os.path.relpath(path, top)] = (info.st_size, info.st_mtime_ns)
    return found

def _produced(top, before, script):
    files, skipped, total = {{}}, [], 0
    for path, stat in sorted(_snapshot(top).items()):
        if path in (script,) + {INTERNAL!r} or before.get(path) == stat:
            continue
        if stat[0] > {MAX_FILE_BYTES} or total + stat[0] > {MAX_TOTAL_BYTES}:
            skipped.append(path)
            continue
        with open(os.path.join(top, path), "rb") as handle:
            files[path] = binascii.b2a_base64(handle.read(), newline=False).decode()
        total += stat[0]
    return files, skipped

def _copy_tree(source, target):
    for folder, dirs, files in os.walk(source):
        here = os.path.join(target, os.path.relpath(folder, source))
        os.makedirs(here, exist_ok=True)
        for name in files:
            if folder == source and name in {INTERNAL!r}:
                continue
            with open(os.path.join(folder, name), "rb") as src, open(os.path.join(here, name), "wb") as dst:
                dst.write(src.read())

def _remove_tree(top):
    for folder, dirs, files in os.walk(top, topdown=False):
        for name in files:
            os.unlink(os.path.join(folder, name))
        for name in dirs:
            os.rmdir(os.path.join(folder, name))
    os.rmdir(top)

def _run_program(script):
    with open(script, "rb") as handle:
        program = compile(handle.read(), script, "exec")
    exec(program, {{"__name__": "__main__", "__file__": script, "__builtins__": __builtins__}})
"""

# One-shot runner (cold path): run the program, then print the manifest lines.
RUNNER_SOURCE = (
    _COMMON
    + f'''
_shell = os.path.abspath({SHELL_SCRIPT!r}) if os.path.exists({SHELL_SCRIPT!r}) else None
_work = None
if not os.access(".", os.W_OK):  # a read-only project copy (bwrap, docker): work on a private copy
    _work = os.path.join(os.environ.get("TMPDIR") or "/tmp", "fixloop-task-%d" % os.getpid())
    _copy_tree(".", _work)
    os.chdir(_work)
    sys.path[0] = _work
_script = sys.argv[1]
_before = _snapshot(".")
sys.argv = sys.argv[1:]
try:
    if _shell:  # allowed shell blocks run first, in the same directory
        import subprocess
        sys.stdout.flush()
        _code = subprocess.run(["sh", "-e", _shell]).returncode
        if _code:
            raise SystemExit("the shell block failed with exit code %d" % _code)
    _run_program(_script)
finally:
    _files, _skipped = _produced(".", _before, _script)
    _lines = ["{MANIFEST_MARK}file " + binascii.hexlify(k.encode()).decode() + " " + v for k, v in _files.items()]
    _lines += ["{MANIFEST_MARK}skip " + binascii.hexlify(k.encode()).decode() for k in _skipped]
    sys.stdout.flush()
    sys.stdout.write("\\n" + "\\n".join(_lines + ["{MANIFEST_MARK}end"]) + "\\n")
    sys.stdout.flush()
    if _work:
        os.chdir("/")
        _remove_tree(_work)
'''
)

# Warm worker: one JSON request per line on stdin, one JSON answer per line on stdout.
WORKER_SOURCE = (
    _COMMON
    + """
import gc, json, resource, select, signal, time, traceback
# traceback imports ast for its error carets on first use: imported here, forked children
# share it instead of each failing program importing it again (about 4 ms a failed turn).
import ast  # noqa: F401

_base = os.getcwd()
_tmp = os.environ.get("TMPDIR") or "/tmp"
_answers = os.fdopen(os.dup(1), "w")
os.dup2(os.open(os.devnull, os.O_WRONLY), 1)  # stray prints can never corrupt the protocol

def _child(work, script, out_path, err_path, file_limit):
    status = 1
    try:
        os.close(_answers.fileno())  # the program must not write into the worker's answers
        os.setsid()
        os.chdir(work)
        sys.path[0] = work
        sys.argv = [script]
        os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
        os.dup2(os.open(out_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), 1)
        os.dup2(os.open(err_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), 2)
        resource.setrlimit(resource.RLIMIT_FSIZE, (file_limit, file_limit))
        try:
            _run_program(script)
            status = 0
        except SystemExit as stop:
            if stop.code is None or isinstance(stop.code, int):
                status = stop.code or 0
            else:
                print(stop.code, file=sys.stderr)
        except BaseException:
            traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(status & 0xFF if isinstance(status, int) else 1)

def _read(path, cap):
    try:
        with open(path, "rb") as handle:
            data = handle.read(cap + 1)
    except OSError:
        return "", False
    return data[:cap].decode("utf-8", "replace"), len(data) > cap

_seed = None  # the conversation's input files, when the worker was started ahead on an empty project

def _take_seed(files):
    global _seed
    _seed = os.path.join(_tmp, "fixloop-seed-%d" % os.getpid())
    os.makedirs(_seed, exist_ok=True)
    for name, data in files.items():
        path = os.path.join(_seed, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as handle:
            handle.write(binascii.a2b_base64(data))

def _serve(request, number):
    started = time.monotonic()
    if "seed" in request:
        _take_seed(request["seed"])
    work = os.path.join(_tmp, "fixloop-task-%d-%d" % (os.getpid(), number))
    out_path, err_path = work + ".out", work + ".err"
    _copy_tree(_base, work)
    if _seed:
        _copy_tree(_seed, work)
    script = request["script"]
    with open(os.path.join(work, script), "w", encoding="utf-8") as handle:
        handle.write(request["code"])
    before = _snapshot(work)
    _answers.flush()
    sys.stdout.flush()
    gc.freeze()  # the child's collector leaves our objects alone: fewer copy-on-write page copies
    pid = os.fork()
    if pid == 0:
        _child(work, script, out_path, err_path, request["file_limit"])
    timed_out = False
    fd = os.pidfd_open(pid)
    try:
        if not select.select([fd], [], [], request["timeout"])[0]:
            timed_out = True
    finally:
        os.close(fd)
    try:
        os.killpg(pid, signal.SIGKILL)  # the program's leftovers (daemons, children) go too
    except OSError:
        pass
    _, wait_status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(wait_status)
    for _ in range(100):  # SIGKILL is asynchronous: let the rest of the group die before answering
        try:
            os.killpg(pid, signal.SIGKILL)
        except OSError:
            break
        time.sleep(0.002)
    stdout, out_cut = _read(out_path, request["output_bytes"])
    stderr, err_cut = _read(err_path, request["output_bytes"])
    files, skipped = _produced(work, before, script)
    for path in (out_path, err_path):
        try:
            os.unlink(path)
        except OSError:
            pass
    _remove_tree(work)
    return {"exit_code": None if timed_out else code, "timed_out": timed_out, "stdout": stdout,
            "stderr": stderr, "truncated": out_cut or err_cut, "files": files, "skipped": skipped,
            "duration_ms": int((time.monotonic() - started) * 1000)}

_answers.write(json.dumps({"ready": True}) + "\\n")
_answers.flush()
for _number, _line in enumerate(sys.stdin):
    _answers.write(json.dumps(_serve(json.loads(_line), _number)) + "\\n")
    _answers.flush()
"""
)


class WorkerBroken(RuntimeError):
    """The warm worker died, hung or answered garbage; use cold runs from now on."""


def split_manifest(stdout: str) -> tuple[str, dict[str, bytes], list[str]]:
    """Separate the runner's manifest lines from the program's own stdout."""
    index = stdout.find("\n" + MANIFEST_MARK)
    if index < 0 or not stdout.rstrip("\n").endswith(MANIFEST_MARK + "end"):
        return stdout, {}, []  # no complete manifest: the run was killed or printed the mark itself
    files: dict[str, bytes] = {}
    skipped: list[str] = []
    for line in stdout[index + 1 :].splitlines():
        if not line.startswith(MANIFEST_MARK):
            continue
        kind, _, rest = line[len(MANIFEST_MARK) :].partition(" ")
        name_hex, _, data = rest.partition(" ")
        try:
            name = binascii.unhexlify(name_hex).decode("utf-8", "replace")
            if kind == "file":
                files[name] = base64.b64decode(data)
            elif kind == "skip":
                skipped.append(name)
        except (ValueError, binascii.Error):
            continue
    return stdout[:index], files, skipped


def without_runner_frames(output: str) -> str:
    """Drop the runner's and worker's traceback frames: the model should see only its program."""
    lines, skip_source = [], False
    for line in output.splitlines():
        if skip_source:
            skip_source = False
            if line.startswith("    ") and not line.startswith("  File "):
                continue
        if line.startswith("  File ") and (RUNNER in line or WORKER in line):
            skip_source = True
            continue
        lines.append(line)
    return "\n".join(lines)


async def _read_line(process: SandboxProcess, limit: int) -> bytes:
    """One newline-terminated answer of any size up to `limit` (StreamReader lines cap at 64 KiB)."""
    buffer = bytearray()
    while True:
        chunk = await process.stdout.read(65536)
        if not chunk:
            raise WorkerBroken("the warm worker exited")
        buffer += chunk
        end = buffer.find(b"\n")
        if end >= 0:
            return bytes(buffer[:end])
        if len(buffer) > limit:
            raise WorkerBroken("the warm worker's answer is too large")


async def start_worker(
    sandbox: Sandbox, root: Path, limits: Limits, network: bool
) -> SandboxProcess | None:
    """A warm worker on a copy of `root`, greeted and ready; None when the backend cannot keep one."""
    spec = RunSpec(
        argv=(WORKER,), root=root, limits=limits, overlay={WORKER: WORKER_SOURCE}, network=network
    )
    try:
        process = await sandbox.start_process(spec)
    except Exception as error:  # no warm worker on this backend: cold runs still work
        log.info("no warm task worker (%s); programs run cold", error)
        return None
    try:
        ready = await asyncio.wait_for(_read_line(process, 1024), 10 + HOST_GRACE_SECONDS)
        if json.loads(ready).get("ready") is not True:
            raise WorkerBroken("unexpected greeting")
    except (asyncio.TimeoutError, WorkerBroken, ValueError) as error:
        log.info("the warm task worker did not start (%r); programs run cold", error)
        await process.kill()
        return None
    except BaseException:
        await process.kill()
        raise
    return process


def _started(start: asyncio.Future[SandboxProcess | None] | None) -> SandboxProcess | None:
    """The worker of a start that has finished, else None (still starting, cancelled, absent)."""
    return start.result() if start is not None and start.done() and not start.cancelled() else None


def _spare_starter(
    limits: Limits, network: bool
) -> Callable[[Sandbox, Path], Awaitable[SandboxProcess | None]]:
    async def start(sandbox: Sandbox, root: Path) -> SandboxProcess | None:
        return await start_worker(sandbox, root, limits, network)

    return start


def seed_files(root: Path, cap: int = MAX_SEED_BYTES) -> dict[str, str] | None:
    """The files of `root` base64-encoded for a worker started on an empty project; None over `cap`."""
    from fixloop.sandbox.workspace import project_files

    found: dict[str, str] = {}
    total = 0
    for relative, source in project_files(root):
        if source is None:
            continue
        total += source.stat().st_size
        if total > cap:
            return None
        found[relative] = base64.b64encode(source.read_bytes()).decode()
    return found


class ProgramExecutor:
    """Runs model-written programs for one conversation; call `close()` at the end.

    With `shared`, the sandbox comes from `fixloop.sandbox.shared` and the warm worker is a
    spare started ahead on an empty project (or started now on one); the conversation's input
    files reach it with the first request instead of through a copy of `root`. `roots_used`
    names the project roots this executor had the sandbox copy.
    """

    def __init__(
        self,
        sandbox: Sandbox,
        root: Path,
        settings: Settings,
        *,
        warm: bool = True,
        shared: bool = False,
        packages: Path | None = None,
    ) -> None:
        from fixloop.execution import limits_for

        self.sandbox = sandbox
        self.root = root
        self.settings = settings
        self.limits = limits_for(settings)
        # The conversation's package directory (see RunSpec.packages). A warm worker starts
        # before the conversation is known and could not see it: such conversations run cold.
        self.packages = packages
        self._pip_problem: str | None = None
        self._warm_wanted = warm and packages is None
        self._shared = shared
        self._worker_start: asyncio.Future[SandboxProcess | None] | None = None
        self._seed: dict[str, str] | None = None  # input files the worker has not received yet
        self.roots_used: set[Path] = set()
        self.warm_runs = 0
        self.cold_runs = 0

    def prepare(self) -> None:
        """Start the warm worker in the background (e.g. while the model writes its first answer)."""
        if not self._warm_wanted or self._worker_start is not None:
            return
        network = self.settings.network
        if self._shared:
            from fixloop.sandbox.shared import take_spare

            _, spare = take_spare(
                self.sandbox, (self.limits, network), _spare_starter(self.limits, network)
            )
            if spare is not None:
                seed = seed_files(self.root)
                if seed is not None:
                    self._worker_start, self._seed = spare, seed
                    return
                self._worker_start = (
                    spare  # too much input to send: this conversation needs its own worker
                )
                self._drop_worker_later()
        # Started on the conversation's own project (no spare was ready): cold runs, which use
        # that project too, share its scratch copy with the worker.
        self.roots_used.add(self.root)
        self._worker_start = asyncio.ensure_future(
            start_worker(self.sandbox, self.root, self.limits, network)
        )

    def _drop_worker_later(self) -> None:
        from fixloop.sandbox.shared import defer

        start = self._worker_start
        assert start is not None

        async def drop() -> None:
            process = await start
            if process is not None:
                await process.kill()

        defer(self.sandbox, drop())

    async def run(
        self, script: str, code: str, shell: str | None = None
    ) -> tuple[RunResult, dict[str, bytes], list[str]]:
        if shell is None and self._warm_wanted:
            self.prepare()
            assert self._worker_start is not None
            # A worker that is nearly up is cheaper than a cold run (a fresh sandbox run, which
            # also competes with the starting worker for the CPU); one that is slow to come up is
            # used from the next turn on.
            start = self._worker_start
            if not start.done():
                await asyncio.wait({start}, timeout=WORKER_WAIT_SECONDS)
            worker = _started(start)
            if worker is not None:
                try:
                    result = await self._run_warm(worker, script, code)
                    self.warm_runs += 1
                    return result
                except WorkerBroken:
                    await self._drop_worker()
        self.cold_runs += 1
        return await self._run_cold(script, code, shell)

    async def _run_warm(
        self, worker: SandboxProcess, script: str, code: str
    ) -> tuple[RunResult, dict[str, bytes], list[str]]:
        request: dict[str, Any] = {
            "script": script,
            "code": code,
            "timeout": self.limits.wall_seconds,
            "output_bytes": self.limits.output_bytes,
            "file_limit": self.limits.file_size_mb * 1024 * 1024,
        }
        if self._seed is not None:  # once per worker: it keeps them for the later turns
            request["seed"], self._seed = self._seed, None
        try:
            worker.stdin.write(json.dumps(request).encode() + b"\n")
            await worker.stdin.drain()
            line = await asyncio.wait_for(
                _read_line(worker, 4 * (self.limits.output_bytes + MAX_TOTAL_BYTES)),
                self.limits.wall_seconds + HOST_GRACE_SECONDS,
            )
            answer: dict[str, Any] = json.loads(line)
            files = {str(k): base64.b64decode(v) for k, v in answer["files"].items()}
            return self._result(answer), files, [str(s) for s in answer["skipped"]]
        except (
            asyncio.TimeoutError,
            ConnectionError,
            ValueError,
            KeyError,
            TypeError,
            binascii.Error,
        ) as error:
            raise WorkerBroken(f"the warm worker failed: {type(error).__name__}") from None

    def _result(self, answer: Mapping[str, Any]) -> RunResult:
        from fixloop.sandbox.tracebacks import parse_traceback

        stderr = str(answer["stderr"])
        error = parse_traceback(stderr, (str(self.root),))
        exit_code = answer["exit_code"]
        if answer["timed_out"]:
            status, limit = Status.TIMEOUT, "wall"
        elif answer["truncated"]:
            status, limit = Status.OUTPUT_LIMIT, "output"
        elif exit_code == 0:
            status, limit = Status.OK, None
        elif error is not None and error.type == "MemoryError":
            status, limit = Status.MEMORY, "memory"
        elif isinstance(exit_code, int) and exit_code < 0:
            status, limit = Status.KILLED, None
        else:
            status, limit = Status.ERROR, None
        return RunResult(
            status=status,
            exit_code=exit_code,
            stdout=str(answer["stdout"]),
            stderr=stderr,
            truncated=bool(answer["truncated"]),
            duration_ms=int(answer["duration_ms"]),
            sandbox=self.sandbox.name,
            error=error,
            limit_hit=limit,
            protected=self.sandbox.protected,
        )

    async def _run_cold(
        self, script: str, code: str, shell: str | None
    ) -> tuple[RunResult, dict[str, bytes], list[str]]:
        self.roots_used.add(self.root)
        overlay = {RUNNER: RUNNER_SOURCE, script: code}
        if shell:
            overlay[SHELL_SCRIPT] = shell
        spec = RunSpec(
            argv=(RUNNER, script),
            root=self.root,
            limits=self.limits,
            overlay=overlay,
            network=self.settings.network,
            packages=self.packages,
        )
        run = await self.sandbox.run(spec)
        stdout, files, skipped = split_manifest(run.stdout)
        return replace(run, stdout=stdout), files, skipped

    async def pip_problem(self) -> str:
        """Why `pip install` cannot work in this sandbox ("" when it can); asked once."""
        if self._pip_problem is None:
            probe = RunSpec(
                argv=("-m", "pip", "--version"),
                root=self.root,
                limits=self.limits,
                network=self.settings.network,
            )
            found = await self.sandbox.run(probe)
            where = (
                f"the docker image {self.settings.docker_image} has no pip (python3 -m pip "
                "fails); choose an image with pip (--image, fixloop.dockerImage)"
                if self.sandbox.name == "docker"
                else "the sandbox's Python has no pip (python -m pip fails)"
            )
            self._pip_problem = "" if found.ok else where
        return self._pip_problem

    async def _drop_worker(self) -> None:
        start = self._worker_start
        worker = _started(start)
        self._warm_wanted = False
        if worker is not None:
            await worker.kill()

    async def close(self) -> None:
        if self._worker_start is not None:
            if not self._worker_start.done():
                self._worker_start.cancel()
            try:
                worker = await self._worker_start
            except (asyncio.CancelledError, Exception):
                worker = None
            if worker is not None:
                await worker.kill()
