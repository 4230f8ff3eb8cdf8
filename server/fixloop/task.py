"""Task mode: the model writes a program for a task in words, the sandbox runs it, errors go back.

This is AutoGen's code-writing agent with our sandbox as the executor and a stricter stop: the
conversation ends when a run exits 0 and every file the task asked for exists, not when the
model says it is done. Each run happens in a scratch copy of a private temporary directory that
holds only the user's `--data` files; a small runner script executes the model's program and then
reports, after a marker line on stdout, the files the program created or changed, so produced files
come back the same way from every backend (local, bwrap, docker). Only the final script and those
files are ever written on the host, by `save_outputs`, into the output directory. Shell blocks run
only when allowed; `pip install` only with the network on; model file names stay relative.
"""

from __future__ import annotations

import base64
import binascii
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from fixloop.repair.llm.errors import ModelUnavailableError
from fixloop.repair.llm.extract import extract_code
from fixloop.repair.llm.prompts import head_tail, scrub
from fixloop.sandbox.base import RunResult, RunSpec
from fixloop.settings import ModelConfig, Settings, model_config

if TYPE_CHECKING:
    from fixloop.repair.llm.client import ModelConversation

RUNNER = "_fixloop_task_runner.py"
SHELL_SCRIPT = "_fixloop_task_shell.sh"
DEFAULT_SCRIPT = "task_script.py"
MANIFEST_MARK = "@@fixloop-produced-files@@ "
MAX_FILE_BYTES = 256 * 1024
MAX_TOTAL_BYTES = 512 * 1024
OUTPUT_SUFFIXES = ("txt", "csv", "json", "md", "png", "jpg", "svg", "html", "xlsx", "pdf", "log", "tsv", "xml", "yaml")

TASK_SYSTEM = """You solve tasks by writing one complete Python program. Reply with exactly one \
```python fenced block. The program runs in a sandbox with the current directory as its working \
directory; input files named in the task are there; write every output file there, under the \
name the task gives. It must not read from stdin or ask questions. Print a short summary of what \
it did. If it fails, you get the error and write a corrected complete program."""

# Runs the model's program, then lists what it created or changed after marker lines (hex name,
# base64 data). Exceptions and sys.exit still propagate, so the run's status stays the program's.
# It imports only C-level modules: every millisecond here is paid on every turn.
_RUNNER_SOURCE = f'''
import binascii, os, sys

def _snapshot():
    found = {{}}
    for folder, dirs, files in os.walk("."):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        for name in files:
            path = os.path.normpath(os.path.join(folder, name))
            try:
                info = os.stat(path)
            except OSError:
                continue
            found[path] = (info.st_size, info.st_mtime_ns)
    return found

def _copy_tree(source, target):
    for folder, dirs, files in os.walk(source):
        here = os.path.join(target, os.path.relpath(folder, source))
        os.makedirs(here, exist_ok=True)
        for name in files:
            if folder == source and name in ({RUNNER!r}, {SHELL_SCRIPT!r}):
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

_shell = os.path.abspath({SHELL_SCRIPT!r}) if os.path.exists({SHELL_SCRIPT!r}) else None
_work = None
if not os.access(".", os.W_OK):  # a read-only project copy (bwrap, docker): work on a private copy
    _work = os.path.join(os.environ.get("TMPDIR") or "/tmp", "fixloop-task-%d" % os.getpid())
    _copy_tree(".", _work)
    os.chdir(_work)
    sys.path[0] = _work
_script = sys.argv[1]
_before = _snapshot()
sys.argv = sys.argv[1:]
try:
    if _shell:  # allowed shell blocks run first, in the same directory
        import subprocess
        sys.stdout.flush()
        _code = subprocess.run(["sh", "-e", _shell]).returncode
        if _code:
            raise SystemExit("the shell block failed with exit code %d" % _code)
    with open(_script, "rb") as _handle:
        _program = compile(_handle.read(), _script, "exec")
    exec(_program, {{"__name__": "__main__", "__file__": _script, "__builtins__": __builtins__}})
finally:
    _lines, _total = [], 0
    for _path, _stat in sorted(_snapshot().items()):
        if _path in (_script, {RUNNER!r}, {SHELL_SCRIPT!r}) or _before.get(_path) == _stat:
            continue
        _name = binascii.hexlify(_path.encode()).decode()
        if _stat[0] > {MAX_FILE_BYTES} or _total + _stat[0] > {MAX_TOTAL_BYTES}:
            _lines.append("{MANIFEST_MARK}skip " + _name)
            continue
        with open(_path, "rb") as _handle:
            _data = binascii.b2a_base64(_handle.read(), newline=False).decode()
        _lines.append("{MANIFEST_MARK}file " + _name + " " + _data)
        _total += _stat[0]
    sys.stdout.flush()
    sys.stdout.write("\\n" + "\\n".join(_lines + ["{MANIFEST_MARK}end"]) + "\\n")
    sys.stdout.flush()
    if _work:
        os.chdir("/")
        _remove_tree(_work)
'''


@dataclass(frozen=True)
class ProducedFile:
    name: str  # relative POSIX path inside the scratch directory
    data: bytes

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class TaskResult:
    solved: bool
    script_name: str
    script: str | None  # the final program (the last one run)
    files: tuple[ProducedFile, ...]
    output: str  # stdout + stderr of the last run, without the runner's manifest
    reason: str  # why it stopped unsolved, "" when solved
    turns: int = 0
    tokens: int = 0
    cost_usd: float = 0.0
    sandbox: str = ""
    skipped: tuple[str, ...] = field(default=())  # produced files too large to bring back
    written: tuple[Path, ...] = field(default=())  # host paths, when solve_task got an out_dir
    model_seconds: float = 0.0  # time spent waiting for the model (the rest is fixloop's overhead)


def safe_relative_name(name: str, *, max_length: int = 255) -> PurePosixPath:
    """A model- or program-proposed file name that stays inside its directory, or ValueError."""
    if not name or len(name) > max_length or any(c in name for c in "\x00\n\r"):
        raise ValueError(f"unusable file name {name[:80]!r}")
    pure = PurePosixPath(name)
    if pure.is_absolute() or any(part in ("..", "") or part.startswith("-") for part in pure.parts):
        raise ValueError(f"file name must stay inside the scratch directory: {name[:80]!r}")
    if not re.fullmatch(r"[\w.\- /]+", name):
        raise ValueError(f"file name has characters that are not allowed: {name[:80]!r}")
    return pure


def expected_outputs(task: str, inputs: Sequence[str]) -> tuple[str, ...]:
    """File names the task text asks to produce (names with an output suffix that are not inputs)."""
    pattern = re.compile(rf"\b([\w\-/]+\.(?:{'|'.join(OUTPUT_SUFFIXES)}))\b", re.I)
    names = []
    for match in pattern.finditer(task):
        name = match.group(1)
        if name not in inputs and Path(name).name not in inputs and name not in names:
            names.append(name)
    return tuple(names)


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


def _without_runner_frames(output: str) -> str:
    """Drop the runner's traceback frame: the model should see only its own program."""
    lines, skip_source = [], False
    for line in output.splitlines():
        if skip_source:
            skip_source = False
            if line.startswith("    ") and not line.startswith("  File "):
                continue
        if line.startswith("  File ") and RUNNER in line:
            skip_source = True
            continue
        lines.append(line)
    return "\n".join(lines)


def _shell_refusal(shell: Sequence[str], settings: Settings, allow_shell: bool) -> str:
    if not shell:
        return ""
    if not allow_shell:
        return "shell blocks are not run (the user did not allow shell; use --allow-shell); write Python only"
    if not settings.network and any(re.search(r"\bpip3?\s+install\b|-m\s+pip\b", s) for s in shell):
        return (
            "pip install cannot work: the sandbox has no network (the user can enable it with "
            "--network); use the standard library or the packages already installed"
        )
    return ""


def _run_feedback(result: RunResult, output: str, missing: Sequence[str], settings: Settings) -> str:
    if result.ok and missing:
        return (
            f"The program exited 0 but did not create {', '.join(missing)}. Output:\n```\n"
            f"{head_tail(output)}\n```\nWrite the complete corrected program."
        )
    status = f"status {result.status.value}" + (f", exit code {result.exit_code}" if result.exit_code is not None else "")
    if result.limit_hit:
        status += f", stopped by the {result.limit_hit} limit"
    hint = ""
    if result.error and result.error.type == "ModuleNotFoundError":
        hint = (
            "\nThat module is not installed in the sandbox"
            + ("." if settings.network else " and the network is off, so it cannot be installed.")
            + " Use the standard library or another installed package."
        )
    return (
        f"The program failed ({status}). Output:\n```\n{head_tail(output)}\n```{hint}\n"
        "Write the complete corrected program."
    )


async def solve_task(
    task: str,
    out_dir: Path | None = None,
    settings: Settings | None = None,
    model: ModelConfig | None = None,
    *,
    data_files: Sequence[Path] = (),
    expected_files: Sequence[str] | None = None,
    allow_shell: bool | None = None,
    progress: Callable[[str], None] | None = None,
) -> TaskResult:
    """Let the model write and fix a program for `task` until a sandbox run proves it works.

    With `out_dir`, a solved task's script and produced files are saved there (`written`).
    """
    settings = settings or Settings()
    from fixloop.repair.llm.client import ModelConversation
    from fixloop.sandbox import open_sandbox

    config = model or model_config(settings)
    conversation = ModelConversation(config, system_message=TASK_SYSTEM)
    shell_ok = settings.allow_shell if allow_shell is None else allow_shell
    report = progress or (lambda message: None)
    inputs = [Path(p).name for p in data_files]
    wanted = tuple(expected_files) if expected_files is not None else expected_outputs(task, inputs)
    deadline = time.monotonic() + settings.budget
    with tempfile.TemporaryDirectory(prefix="fixloop-task-") as private:
        root = Path(private)
        for data in data_files:
            shutil.copyfile(data, root / Path(data).name)
        sandbox = await open_sandbox(settings.sandbox, python=settings.python or None, image=settings.docker_image)
        try:
            result = await _converse(
                task, conversation, sandbox, root, settings, inputs, wanted, shell_ok, deadline, report
            )
        finally:
            await sandbox.close()
            await conversation.close()
    if out_dir is not None and result.solved:
        result = replace(result, written=tuple(save_outputs(result, out_dir)))
    return result


async def _converse(
    task: str,
    conversation: ModelConversation,
    sandbox: object,
    root: Path,
    settings: Settings,
    inputs: Sequence[str],
    wanted: Sequence[str],
    shell_ok: bool,
    deadline: float,
    report: Callable[[str], None],
) -> TaskResult:
    from fixloop.execution import limits_for
    from fixloop.sandbox.base import Sandbox

    assert isinstance(sandbox, Sandbox)
    secrets = [conversation.config.api_key] if conversation.config.api_key else []
    message = f"Task: {task}"
    if inputs:
        message += f"\n\nInput files in the working directory: {', '.join(inputs)}"
    if wanted:
        message += f"\n\nThe run must create: {', '.join(wanted)}"
    script_name, script, output = DEFAULT_SCRIPT, None, ""
    files: dict[str, bytes] = {}
    skipped: list[str] = []
    reason = f"no working program within {settings.max_turns} model turns"

    def result(solved: bool, why: str) -> TaskResult:
        produced = tuple(ProducedFile(name, data) for name, data in sorted(files.items()))
        return TaskResult(
            solved, script_name, script, produced, output, why, conversation.turns,
            conversation.tokens, conversation.cost_usd(), sandbox.name, tuple(skipped),
            model_seconds=conversation.model_seconds,
        )

    try:
        for turn in range(1, settings.max_turns + 1):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return result(False, "the wall-time budget ran out")
            if conversation.over_token_budget():
                return result(False, f"the token budget ({conversation.limits.token_budget}) ran out")
            report(f"model turn {turn}/{settings.max_turns}")
            answer = await conversation.ask(scrub(message, root=root, extra_secrets=secrets), deadline=deadline)
            extraction = extract_code(answer.text, finish_reason=answer.finish_reason,
                                      max_chars=conversation.limits.max_answer_chars)
            refusal = _shell_refusal(extraction.shell, settings, shell_ok)
            if extraction.code is None:
                message = f"Your answer could not be used: {extraction.reason}." + (f" Also: {refusal}." if refusal else "")
                report(f"turn {turn}: {extraction.reason}")
                continue
            name = extraction.filename or DEFAULT_SCRIPT
            try:
                safe_relative_name(name)
                if not name.endswith(".py") or name == RUNNER:
                    raise ValueError(f"the program must be a .py file other than {RUNNER}")
            except ValueError as error:
                message = f"Your answer could not be used: {error}. Use a plain relative file name."
                report(f"turn {turn}: {error}")
                continue
            script_name, script = name, extraction.code
            spec = RunSpec(
                argv=(RUNNER, name), root=root, limits=limits_for(settings),
                overlay={RUNNER: _RUNNER_SOURCE, name: extraction.code}, network=settings.network,
            )
            if extraction.shell and not refusal:
                spec = replace(spec, overlay={**spec.overlay, SHELL_SCRIPT: "\n".join(extraction.shell) + "\n"})
            run = await sandbox.run(spec)
            stdout, files, skipped = split_manifest(run.stdout)
            output = (stdout + ("\n" + _without_runner_frames(run.stderr) if run.stderr else "")).strip("\n")
            present = set(files) | set(inputs)
            missing = [w for w in wanted if w not in present]
            report(f"turn {turn}: run {run.status.value}" + (f", missing {', '.join(missing)}" if run.ok and missing else ""))
            if run.ok and not missing and not refusal:
                return result(True, "")
            message = _run_feedback(run, output, missing, settings)
            if refusal:
                message = f"Note: {refusal}.\n\n{message}" if not run.ok or missing else (
                    f"The program ran, but {refusal}. Reply with the same program without shell blocks."
                )
        return result(False, reason)
    except ModelUnavailableError as error:
        return result(False, str(error))


def save_outputs(result: TaskResult, out_dir: Path) -> list[Path]:
    """Write the final script and the produced files into `out_dir`; return what was written."""
    written: list[Path] = []
    entries = [(result.script_name, (result.script or "").encode())] if result.script else []
    entries += [(f.name, f.data) for f in result.files]
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, data in entries:
        try:
            relative = safe_relative_name(name, max_length=1024)
        except ValueError:
            continue  # a program-created name we will not write on the host
        target = out_dir.joinpath(*relative.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        written.append(target)
    return written
