"""Our sandboxes as AutoGen CodeExecutors: blocks run, shell refused by default, and file names
or languages a model proposes are rejected before anything is written or run."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from autogen_core import CancellationToken
from autogen_core.code_executor import CodeBlock
from fixloop.sandbox.autogen_executor import (
    BwrapSandboxExecutor,
    DockerSandboxExecutor,
    LocalSandboxExecutor,
    SandboxCodeExecutor,
    check_model_filename,
)

from .conftest import SMALL, skip_docker_if_asked, tree_digest

EXECUTORS = {
    "local": LocalSandboxExecutor,
    "bwrap": BwrapSandboxExecutor,
    "docker": DockerSandboxExecutor,
}


@pytest.fixture(params=list(EXECUTORS))
async def executor(request: pytest.FixtureRequest, tmp_path: Path):  # type: ignore[no-untyped-def]
    skip_docker_if_asked(request.param)
    work = tmp_path / "work"
    work.mkdir()
    (work / "data.txt").write_text("42\n")
    cls = EXECUTORS[request.param]
    async with cls(work, limits=SMALL, image=os.environ.get("FIXLOOP_TEST_IMAGE")) as started:
        yield started


async def test_python_blocks_run_in_order_and_stop_at_failure(
    executor: SandboxCodeExecutor,
) -> None:
    blocks = [
        CodeBlock(code="print(open('data.txt').read().strip())", language="python"),
        CodeBlock(code="# filename: second.py\nraise ValueError('bad')", language="python"),
        CodeBlock(code="print('never')", language="python"),
    ]
    result = await executor.execute_code_blocks(blocks, CancellationToken())
    assert result.exit_code == 1
    assert result.output.startswith("42\n")
    assert "ValueError: bad" in result.output and "never" not in result.output
    assert executor.sandbox is not None and executor.sandbox.name == executor.kind


async def test_shell_refused_unless_allowed(executor: SandboxCodeExecutor) -> None:
    result = await executor.execute_code_blocks(
        [CodeBlock(code="echo hi", language="bash")], CancellationToken()
    )
    assert result.exit_code == 1 and "not allowed" in result.output


async def test_shell_runs_when_allowed(tmp_path: Path) -> None:
    async with BwrapSandboxExecutor(tmp_path, limits=SMALL, allow_shell=True) as executor:
        result = await executor.execute_code_blocks(
            [CodeBlock(code="echo hi; python -c 'print(2)'", language="sh")], CancellationToken()
        )
    assert (result.exit_code, result.output) == (0, "hi\n2\n")


async def test_restart_and_timeout(executor: SandboxCodeExecutor) -> None:
    await executor.restart()
    result = await executor.execute_code_blocks(
        [CodeBlock(code="while True: pass", language="python")], CancellationToken()
    )
    assert result.exit_code != 0 and "timeout" in result.output


BAD_NAMES = [
    "../x.py",
    "/etc/passwd",
    "a\x00b.py",
    "a\nb.py",
    "-rf.py",
    "x" * 10_000 + ".py",
    "python; rm -rf ~",
    "dir/../../x.py",
    ".hidden.py",
    "notes.txt",
]


@pytest.mark.parametrize("name", BAD_NAMES, ids=range(len(BAD_NAMES)))
def test_hostile_file_names_are_refused(name: str) -> None:
    with pytest.raises(ValueError):
        check_model_filename(name, "python")


@pytest.mark.parametrize("name", BAD_NAMES[:7], ids=range(7))
async def test_hostile_file_names_write_and_run_nothing(tmp_path: Path, name: str) -> None:
    work = tmp_path / "work"
    work.mkdir()
    before = tree_digest(tmp_path)
    async with LocalSandboxExecutor(work, limits=SMALL) as executor:
        block = CodeBlock(code=f"# filename: {name}\nprint('ran')", language="python")
        result = await executor.execute_code_blocks([block], CancellationToken())
    assert result.exit_code == 1 and "rejected file name" in result.output
    assert "ran" not in result.output.replace("rejected", "")
    assert tree_digest(tmp_path) == before


async def test_unknown_language_is_refused(tmp_path: Path) -> None:
    async with LocalSandboxExecutor(tmp_path, limits=SMALL) as executor:
        result = await executor.execute_code_blocks(
            [CodeBlock(code="console.log(1)", language="javascript")], CancellationToken()
        )
    assert result.exit_code == 1 and "unsupported language" in result.output
