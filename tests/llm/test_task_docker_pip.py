"""On docker, a task's `pip install` installs a wheel made available inside the container.

The test image has no pip (`test_task_packages` checks that the task says so). Here the test
derives an image from it that has pip (the test venv's own pip package, copied in; built on the
local engine, no registry), builds a wheel, hands it to the task as a data file, and the
scripted model's shell block runs `pip install --no-index --find-links . PKG`: pip puts it in
the run's package directory, the program imports it in the same run and writes its value.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pip
import pytest
from fixloop.settings import ModelConfig, Settings
from fixloop.task import solve_task

from .package_index import MODULE, PACKAGE, build_wheel
from .scripted_server import ScriptedServer

pytestmark = pytest.mark.docker


@pytest.fixture
def image_with_pip(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if os.environ.get("FIXLOOP_SKIP_DOCKER") == "1":
        pytest.skip("FIXLOOP_SKIP_DOCKER=1")
    import docker

    base = os.environ.get("FIXLOOP_TEST_IMAGE", "fixloop-test-python:bookworm")
    context = tmp_path_factory.mktemp("image")
    shutil.copytree(Path(pip.__file__).parent, context / "pip")
    launcher = context / "pip-launcher"  # the `pip` command an image with pip has
    launcher.write_text('#!/bin/sh\nexec python3 -m pip "$@"\n')
    launcher.chmod(0o755)
    (context / "Dockerfile").write_text(
        # Debian's python3 of any version has this directory on its path; the sandbox sets
        # PYTHONPATH itself, so the image cannot rely on it.
        f"FROM {base}\nCOPY pip /usr/lib/python3/dist-packages/pip\n"
        "COPY pip-launcher /usr/local/bin/pip\n"
    )
    tag = f"fixloop-test-pip:{uuid.uuid4().hex[:12]}"
    client = docker.from_env()
    try:
        client.images.build(path=str(context), tag=tag, pull=False, rm=True)
        yield tag
    finally:
        try:
            client.images.remove(tag, force=True)
        except docker.errors.ImageNotFound:
            pass
        client.close()


async def test_docker_task_pip_installs_a_wheel_from_find_links(
    scripted: ScriptedServer, model_env: ModelConfig, image_with_pip: str, tmp_path: Path
) -> None:
    value = f"probe-{uuid.uuid4().hex[:8]}"
    wheel_name, wheel = build_wheel(value)
    wheel_path = tmp_path / wheel_name
    wheel_path.write_bytes(wheel)
    scripted.push(
        f"```sh\npip install --no-index --find-links . {PACKAGE}\n```\n"
        f"```python\nimport {MODULE}\nopen('probe.txt', 'w').write({MODULE}.VALUE)\n```"
    )
    result = await solve_task(
        "Write the probe's value to probe.txt",
        settings=Settings(
            sandbox="docker",
            docker_image=image_with_pip,
            network=True,
            allow_shell=True,
            max_turns=1,
        ),
        model=model_env,
        data_files=(wheel_path,),
        expected_files=("probe.txt",),
    )
    assert result.solved, (result.reason, result.output)
    assert {f.name: f.data for f in result.files} == {"probe.txt": value.encode()}
