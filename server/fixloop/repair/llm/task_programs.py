"""The programs a model conversation runs inside the sandbox, and how their output reads.

Two scripts, written into the sandboxed project beside the model's program: the one-shot runner
(the cold path: run the program once, then list what it produced after a manifest mark) and the
warm worker (one JSON request per line in, one forked child per program, one JSON answer per
line out). They share the code that finds produced files, so both paths report the same files
for the same program. On the host, `split_manifest` reads the runner's manifest back and
`without_runner_frames` hides these scripts' own traceback frames from the model.
"""

from __future__ import annotations

import base64
import binascii

RUNNER = "_fixloop_task_runner.py"
WORKER = "_fixloop_task_worker.py"
SHELL_SCRIPT = "_fixloop_task_shell.sh"
INTERNAL = (RUNNER, WORKER, SHELL_SCRIPT)
MANIFEST_MARK = "@@fixloop-produced-files@@ "
MAX_FILE_BYTES = 256 * 1024
MAX_TOTAL_BYTES = 512 * 1024

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
