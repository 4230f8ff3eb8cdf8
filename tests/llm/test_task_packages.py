"""Tasks can `pip install`, offline: a package index on 127.0.0.1 serves a wheel this test builds.

With the network on, a task gets a package directory of its own: a model's plain
`pip install X` in a shell block installs there, the package stays importable in the task's
later runs, and the user's interpreter never gets it. The docker test image has no pip: the
task says so instead of failing obscurely.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fixloop.settings import ModelConfig, Settings
from fixloop.task import solve_task

from .package_index import MODULE, PACKAGE, PackageIndex
from .scripted_server import ScriptedServer


@pytest.fixture
def index() -> Iterator[PackageIndex]:
    """A PEP 503 simple index on 127.0.0.1 with one project and its wheel."""
    served = PackageIndex(f"probe-{uuid.uuid4().hex[:8]}").start()
    try:
        yield served
    finally:
        served.stop()


def users_interpreter_has_it() -> bool:
    check = f"import importlib.util, sys; sys.exit(importlib.util.find_spec({MODULE!r}) is None)"
    return subprocess.run([sys.executable, "-c", check]).returncode == 0


def package_dirs_left(directory: Path) -> list[str]:
    return [name for name in os.listdir(directory) if name.startswith("fixloop-task-packages-")]


@pytest.mark.parametrize("sandbox", ["local", "bwrap"])
async def test_a_task_pip_installs_into_its_own_directory(
    scripted: ScriptedServer,
    model_env: ModelConfig,
    index: PackageIndex,
    sandbox: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # to see what the task leaves
    install = f"pip install --index-url {index.url} {PACKAGE}"
    scripted.push(
        # Turn 1: install, then fail on purpose, so the import in turn 2 runs in a later run.
        f"```bash\n{install}\n```\n```python\nimport {MODULE}\n"
        f"raise SystemExit('installed ' + {MODULE}.VALUE + '; the file is still missing')\n```",
        f"```python\nimport {MODULE}\nopen('probe.txt', 'w').write({MODULE}.VALUE)\n```",
    )
    result = await solve_task(
        "Write the probe's value to probe.txt",
        settings=Settings(sandbox=sandbox, network=True, allow_shell=True),
        model=model_env,
        expected_files=("probe.txt",),
    )
    assert result.solved, (result.reason, result.output)
    assert result.turns == 2 and {f.name: f.data for f in result.files} == {
        "probe.txt": index.value.encode()
    }
    assert f"installed {index.value}" in scripted.requests[1].last_user_text()
    assert any(path.endswith(".whl") for path in index.fetched)  # pip really fetched it
    assert not users_interpreter_has_it()
    assert package_dirs_left(tmp_path) == []  # removed with the task


async def test_docker_without_pip_says_so(
    scripted: ScriptedServer, model_env: ModelConfig, index: PackageIndex
) -> None:
    if os.environ.get("FIXLOOP_SKIP_DOCKER") == "1":
        pytest.skip("FIXLOOP_SKIP_DOCKER=1")
    scripted.push(f"```sh\npip install {PACKAGE}\n```\n```python\nprint('done')\n```")
    image = os.environ.get("FIXLOOP_TEST_IMAGE", "python:3.12-slim")
    result = await solve_task(
        "print done",
        settings=Settings(
            sandbox="docker", docker_image=image, network=True, allow_shell=True, max_turns=1
        ),
        model=model_env,
    )
    assert not result.solved
    assert f"the docker image {image} has no pip" in result.reason
    assert index.fetched == []  # the shell block never ran
