"""Task mode end to end: `fixloop task` against the scripted model, running code in real sandboxes."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fixloop.cli import main
from fixloop.settings import ModelConfig, Settings
from fixloop.task import safe_relative_name, save_outputs, solve_task

from .conftest import CANARY_KEY
from .scripted_server import ScriptedServer

FIB_BROKEN = "```python\nnumbers = fib(100)\n```"
FIB_GOOD = """Here you go:
```python
# filename: fibonacci.py
a, b = 0, 1
numbers = []
while a <= 100:
    numbers.append(a)
    a, b = b, a + b
with open("fibonacci.txt", "w") as handle:
    handle.write("\\n".join(map(str, numbers)) + "\\n")
print(f"wrote {len(numbers)} numbers")
```
"""

SALES = "month,revenue\n2024-01,1000\n2024-02,1200\n2024-03,900\n2024-04,1500\n"
SALES_WRONG_COLUMN = """```python
import pandas as pd
df = pd.read_csv("sales.csv")
print(df["Revenue"].sum())
```"""
SALES_GOOD = """```python
import pandas as pd
df = pd.read_csv("sales.csv")
total = df["revenue"].sum()
average = df["revenue"].mean()
best = df.loc[df["revenue"].idxmax(), "month"]
growth = (df["revenue"].iloc[-1] / df["revenue"].iloc[0] - 1) * 100
print(f"total revenue: {total}")
print(f"average monthly revenue: {average:.2f}")
print(f"best month: {best}")
print(f"growth rate: {growth:.1f}%")
```"""


def test_fibonacci_task_through_the_cli(
    scripted: ScriptedServer, model_env: ModelConfig, tmp_path: Path
) -> None:
    scripted.push(FIB_BROKEN, FIB_GOOD)
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "fixloop",
            "task",
            "Write a Python script that generates a Fibonacci "
            "sequence up to 100 and saves it to fibonacci.txt",
            "--dir",
            str(out),
            "--sandbox",
            "bwrap",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    assert sorted(p.name for p in out.iterdir()) == ["fibonacci.py", "fibonacci.txt"]
    assert (out / "fibonacci.txt").read_text().split() == "0 1 1 2 3 5 8 13 21 34 55 89".split()
    assert f"wrote {out / 'fibonacci.txt'}" in completed.stdout
    # The error of the first program reached the model, without the runner's own frames.
    feedback = scripted.requests[1].last_user_text()
    assert "NameError: name 'fib' is not defined" in feedback and "runner" not in feedback
    assert "fibonacci.txt" in scripted.requests[0].last_user_text()
    # Nothing but the output directory was written in the working directory.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_csv_analysis_with_pandas(
    scripted: ScriptedServer,
    model_env: ModelConfig,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Not a skip: a missing pandas is a broken test environment (pyproject's dev extra has it).
    assert importlib.util.find_spec("pandas"), "pandas is not installed in the test interpreter"
    data = tmp_path / "sales.csv"
    data.write_text(SALES)
    scripted.push(SALES_WRONG_COLUMN, SALES_GOOD)
    code = main(
        [
            "task",
            "Analyze sales.csv: total revenue, average monthly revenue, best month, "
            "growth rate; print a summary report",
            "--data",
            str(data),
            "--dir",
            str(tmp_path / "out"),
            "--sandbox",
            "local",
            "--json",
        ]
    )
    report = json.loads(capsys.readouterr().out)
    assert code == 0 and report["solved"]
    assert "total revenue: 4600" in report["output"] and "best month: 2024-04" in report["output"]
    assert "growth rate: 50.0%" in report["output"]
    assert "KeyError: 'Revenue'" in scripted.requests[1].last_user_text()
    assert "sales.csv" in scripted.requests[0].last_user_text()
    assert [Path(p).name for p in report["files"]] == ["task_script.py"]  # no outputs asked for
    assert data.read_text() == SALES


async def test_missing_output_file_goes_back_to_the_model(
    scripted: ScriptedServer, model_env: ModelConfig
) -> None:
    scripted.push("```python\nprint('done')\n```", FIB_GOOD)
    result = await solve_task(
        "Save Fibonacci numbers up to 100 to fibonacci.txt",
        settings=Settings(sandbox="local"),
        model=model_env,
    )
    assert result.solved and result.turns == 2
    assert "did not create fibonacci.txt" in scripted.requests[1].last_user_text()


async def test_shell_and_pip_are_refused_by_default(
    scripted: ScriptedServer, model_env: ModelConfig
) -> None:
    scripted.push(
        "```bash\npip install requests\n```\n```python\nimport not_a_real_module_xyz\n```",
        FIB_GOOD,
    )
    result = await solve_task(
        "Save Fibonacci numbers up to 100 to fibonacci.txt",
        settings=Settings(sandbox="local"),
        model=model_env,
    )
    feedback = scripted.requests[1].last_user_text()
    assert "shell blocks are not run" in feedback
    assert "ModuleNotFoundError" in feedback and "network is off" in feedback
    assert result.solved


async def test_pip_is_refused_without_network_even_with_shell(
    scripted: ScriptedServer, model_env: ModelConfig
) -> None:
    scripted.push(
        "```sh\npip install requests\n```\n```python\nprint(1)\n```", "```python\nprint(2)\n```"
    )
    result = await solve_task(
        "print a number", settings=Settings(sandbox="local", allow_shell=True), model=model_env
    )
    assert (
        "pip install cannot work: the sandbox has no network"
        in scripted.requests[1].last_user_text()
    )
    assert result.solved and result.output == "2"


async def test_allowed_shell_block_runs_before_the_program(
    scripted: ScriptedServer, model_env: ModelConfig
) -> None:
    scripted.push(
        "```sh\necho hello > greeting.txt\n```\n```python\nprint(open('greeting.txt').read().strip())\n```"
    )
    result = await solve_task(
        "print the greeting", settings=Settings(sandbox="bwrap", allow_shell=True), model=model_env
    )
    assert result.solved and result.output == "hello"


@pytest.mark.parametrize(
    "name",
    [
        "../x.py",
        "/etc/passwd.py",
        "a\x00b.py",
        "a\nb.py",
        "-rf.py",
        "x" * 10_000 + ".py",
        "python; rm -rf ~.py",
    ],
)
async def test_hostile_file_names_are_rejected_before_running(
    scripted: ScriptedServer, model_env: ModelConfig, name: str, tmp_path: Path
) -> None:
    scripted.push(
        f"```python\n# filename: {name}\nopen('/tmp/should-not-exist', 'w')\n```",
        "```python\nprint(3)\n```",
    )
    result = await solve_task("print a number", settings=Settings(sandbox="local"), model=model_env)
    assert result.solved and result.script_name == "task_script.py"
    assert "could not be used" in scripted.requests[1].last_user_text()
    with pytest.raises(ValueError):
        safe_relative_name(name)


def test_save_outputs_refuses_names_outside_the_directory(tmp_path: Path) -> None:
    from fixloop.task import ProducedFile, TaskResult

    result = TaskResult(
        True,
        "s.py",
        "print(1)\n",
        (ProducedFile("../escape.txt", b"x"), ProducedFile("sub/ok.txt", b"y")),
        "",
        "",
    )
    written = save_outputs(result, tmp_path / "out")
    assert sorted(p.relative_to(tmp_path / "out").as_posix() for p in written) == [
        "s.py",
        "sub/ok.txt",
    ]
    assert not (tmp_path / "escape.txt").exists()


@pytest.mark.parametrize("sandbox", ["local", "bwrap"])
async def test_canary_key_never_reaches_sandbox_or_prompt(
    scripted: ScriptedServer, model_env: ModelConfig, monkeypatch: pytest.MonkeyPatch, sandbox: str
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", CANARY_KEY + "-openai")
    monkeypatch.setenv("SERVICE_TOKEN", "tok-canary-99887766")
    dump = "```python\nimport os\nfor k, v in sorted(os.environ.items()):\n    print(k, '=', v)\nraise SystemExit(1)\n```"
    # Two dumps: the first run is usually cold, the second goes through the warm worker.
    scripted.push(dump, dump, "```python\nprint('ok')\n```")
    result = await solve_task(
        "show the environment", settings=Settings(sandbox=sandbox), model=model_env
    )
    assert result.solved and result.transcript is not None
    transcript = await asyncio.to_thread(Path(result.transcript).read_text)
    assert (
        '"kind": "run"' in transcript
        and CANARY_KEY not in transcript
        and "tok-canary-99887766" not in transcript
    )
    assert '"tokens": 450' in transcript
    for shown in (scripted.requests[1].last_user_text(), scripted.requests[2].last_user_text()):
        assert "PATH =" in shown  # the environment really was printed and sent back
    for request in scripted.requests:
        body = json.dumps(request.body)
        assert CANARY_KEY not in body and "tok-canary-99887766" not in body
        assert str(Path.home()) + "/" not in body
