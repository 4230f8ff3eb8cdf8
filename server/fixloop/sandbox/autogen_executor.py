"""AutoGen `CodeExecutor` adapters over fixloop's sandboxes (imports autogen; load on demand).

`SandboxCodeExecutor` lets an AutoGen agent run code blocks in any fixloop backend, with the
limits, environment allow-list and structured results of `Sandbox.run`, which AutoGen's own
executors lack. Model-proposed file names (a `# filename: ...` first line) and languages are
checked before anything is written or run: only short relative names of plain characters
inside the work directory, Python always, shell only when explicitly allowed. One subclass per
backend (`LocalSandboxExecutor`, `BwrapSandboxExecutor`, `DockerSandboxExecutor`) fixes `kind`.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import tempfile
import uuid
from pathlib import Path

from autogen_core import CancellationToken
from autogen_core.code_executor import CodeBlock, CodeExecutor, CodeResult

from fixloop.sandbox import Limits, RunSpec, Sandbox, open_sandbox

PYTHON_LANGUAGES = ("python", "py", "python3")
SHELL_LANGUAGES = ("sh", "bash", "shell")
_NAME_PART = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}")
_FILENAME_LINE = re.compile(r"^\s*#\s*filename:\s*(.+?)\s*$")


def check_model_filename(name: str, language: str) -> str:
    """`name` if it is a safe file name for `language`, else ValueError saying why."""
    if len(name) > 200:
        raise ValueError("file name longer than 200 characters")
    if any(ch in name for ch in "\x00\n\r"):
        raise ValueError("file name contains NUL or a line break")
    parts = name.split("/")
    if name.startswith("/") or len(parts) > 5:
        raise ValueError(f"file name must be a short relative path: {name!r}")
    for part in parts:
        if part in ("", ".", "..") or not _NAME_PART.fullmatch(part):
            raise ValueError(
                f"file name {name!r} may use only letters, digits, '_', '-', '.' "
                "and must not start with '-' or '.'"
            )
    expected = ".py" if language in PYTHON_LANGUAGES else ".sh"
    if not name.endswith(expected):
        raise ValueError(f"a {language} block must be saved as *{expected}, not {name!r}")
    return name


def block_filename(block: CodeBlock) -> str:
    """The file name a block asks for on its first line, or a fresh safe one."""
    language = block.language.lower()
    first = block.code.lstrip("\n").split("\n", 1)[0]
    found = _FILENAME_LINE.match(first)
    if found:
        return check_model_filename(found.group(1), language)
    suffix = ".py" if language in PYTHON_LANGUAGES else ".sh"
    return f"tmp_code_{uuid.uuid4().hex[:12]}{suffix}"


class SandboxCodeExecutor(CodeExecutor):
    """Runs code blocks one after another in a fixloop sandbox; stops at the first failure."""

    kind = "auto"

    def __init__(
        self,
        work_dir: Path | str | None = None,
        *,
        kind: str | None = None,
        limits: Limits | None = None,
        allow_shell: bool = False,
        python: str | None = None,
        image: str | None = None,
    ) -> None:
        self.kind = kind or type(self).kind
        self.limits = limits or Limits()
        self.allow_shell = allow_shell
        self._python = python
        self._image = image
        self._own_dir = work_dir is None
        self.work_dir = Path(work_dir) if work_dir is not None else None
        self._sandbox: Sandbox | None = None

    @property
    def sandbox(self) -> Sandbox | None:
        return self._sandbox

    async def start(self) -> None:
        if self._sandbox is not None:
            return
        if self.work_dir is None:
            self.work_dir = Path(tempfile.mkdtemp(prefix="fixloop-autogen-"))
        self._sandbox = await open_sandbox(self.kind, python=self._python, image=self._image)

    async def stop(self) -> None:
        if self._sandbox is not None:
            await self._sandbox.close()
            self._sandbox = None
        if self._own_dir and self.work_dir is not None:
            await asyncio.to_thread(shutil.rmtree, self.work_dir, True)
            self.work_dir = None

    async def restart(self) -> None:
        await self.stop()
        await self.start()

    async def execute_code_blocks(
        self, code_blocks: list[CodeBlock], cancellation_token: CancellationToken
    ) -> CodeResult:
        # Check every block before running any: a bad name or language runs nothing at all.
        plan: list[tuple[str, CodeBlock]] = []
        for block in code_blocks:
            language = block.language.lower()
            if language in SHELL_LANGUAGES and not self.allow_shell:
                return CodeResult(exit_code=1, output="shell blocks are not allowed here")
            if language not in PYTHON_LANGUAGES + SHELL_LANGUAGES:
                return CodeResult(exit_code=1, output=f"unsupported language: {block.language}")
            try:
                plan.append((block_filename(block), block))
            except ValueError as exc:
                return CodeResult(exit_code=1, output=f"rejected file name: {exc}")
        await self.start()
        assert self._sandbox is not None and self.work_dir is not None
        outputs: list[str] = []
        exit_code = 0
        for name, block in plan:
            is_python = block.language.lower() in PYTHON_LANGUAGES
            spec = RunSpec(
                argv=(name,) if is_python else ("sh", name),
                use_python=is_python,
                root=self.work_dir,
                limits=self.limits,
                overlay={name: block.code},
            )
            task = asyncio.ensure_future(self._sandbox.run(spec))
            cancellation_token.link_future(task)
            result = await task
            outputs.append(result.stdout + result.stderr)
            if not result.ok:
                exit_code = result.exit_code if result.exit_code not in (None, 0) else 1
                if result.limit_hit:
                    outputs.append(f"[{result.status.value}: {result.limit_hit} limit]")
                break
        return CodeResult(exit_code=exit_code, output="".join(outputs))


class LocalSandboxExecutor(SandboxCodeExecutor):
    kind = "local"


class BwrapSandboxExecutor(SandboxCodeExecutor):
    kind = "bwrap"


class DockerSandboxExecutor(SandboxCodeExecutor):
    kind = "docker"
