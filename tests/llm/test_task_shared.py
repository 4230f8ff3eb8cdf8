"""Tasks share one opened sandbox per process, but nothing of one task reaches the next.

The first task's program leaves files in its working directory, its TMPDIR and its HOME and
prints where; the second task (in the same process, so on the shared sandbox and, after the
scripted model's pause, on the spare worker started when the first task ended) looks for them
at the same paths and in its own ones. A cancelled task's program dies before `solve_task`
returns, although the shared sandbox stays open.
"""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

import pytest
from fixloop.sandbox import shared
from fixloop.settings import ModelConfig, Settings
from fixloop.task import solve_task
from proctree import alive, poll

from .scripted_server import Reply, ScriptedServer

LEAVE_TRACES = """```python
import json, os
places = [os.path.abspath("left.txt"), os.path.join(os.environ["TMPDIR"], "left.txt"),
          os.path.join(os.environ["HOME"], "left.txt")]
for place in places:
    with open(place, "w") as handle:
        handle.write("from the first task")
print("PLACES " + json.dumps(places))
```"""

LOOK_FOR_TRACES = """```python
import json, os
places = {places} + ["left.txt", os.path.join(os.environ["TMPDIR"], "left.txt"),
                     os.path.join(os.environ["HOME"], "left.txt")]
found = [p for p in places if os.path.exists(p)]
print("FOUND " + json.dumps(found))
with open("input.csv") as handle:  # the task's own input file did arrive
    print("INPUT " + handle.read().replace(chr(10), ";"))
raise SystemExit(1 if found else 0)
```"""


@pytest.fixture(autouse=True)
async def close_shared_sandboxes() -> None:
    yield
    await shared.close_all()


@pytest.mark.parametrize(
    "sandbox", ["local", "bwrap", pytest.param("docker", marks=pytest.mark.docker)]
)
async def test_a_task_sees_nothing_the_previous_task_left(
    scripted: ScriptedServer, model_env: ModelConfig, sandbox: str, tmp_path: Path
) -> None:
    if sandbox == "docker" and os.environ.get("FIXLOOP_SKIP_DOCKER") == "1":
        pytest.skip("FIXLOOP_SKIP_DOCKER=1")
    image = os.environ.get("FIXLOOP_TEST_IMAGE")  # built by scripts/install-docker.sh
    settings = Settings(sandbox=sandbox, docker_image=image) if image else Settings(sandbox=sandbox)
    data = tmp_path / "input.csv"
    data.write_text("a,b\n1,2\n")
    scripted.push(LEAVE_TRACES)
    first = await solve_task("leave traces", settings=settings, model=model_env, expected_files=())
    assert first.solved, first.reason
    places = json.loads(first.output.split("PLACES ", 1)[1].splitlines()[0])
    assert [f.name for f in first.files] == ["left.txt"]

    # The pause lets the spare worker started when the first task ended come up, so the second
    # task runs warm on it (with its input file sent along) rather than on a fresh sandbox run.
    scripted.push(Reply(content=LOOK_FOR_TRACES.replace("{places}", json.dumps(places)), delay=1.5))
    second = await solve_task(
        "look for traces", settings=settings, model=model_env, expected_files=(), data_files=[data]
    )
    assert second.solved, second.output
    assert "FOUND []" in second.output and "INPUT a,b;1,2;" in second.output
    assert second.warm_runs + second.cold_runs == 1


async def test_cancelling_a_task_kills_its_program(
    scripted: ScriptedServer, model_env: ModelConfig, tmp_path: Path
) -> None:
    marker = tmp_path / "pid"
    program = f"```python\nimport os, time\nopen({str(marker)!r}, 'w').write(str(os.getpid()))\ntime.sleep(60)\n```"
    scripted.push(program)
    task = asyncio.ensure_future(
        solve_task("sleep", settings=Settings(sandbox="local"), model=model_env, expected_files=())
    )
    assert await poll(lambda: marker.exists() and bool(marker.read_text()), 120), "never ran"
    pid = int(marker.read_text())
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert alive({pid}) == []
