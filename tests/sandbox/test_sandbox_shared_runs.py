"""Runs on the process's shared sandbox (`execution.run_shared`): one sandbox for many runs, a
sandbox that broke is replaced on the next run, and its copy follows the project on disk.

Real backends: a real docker engine (its container is killed under the sandbox, as when the
engine restarts or someone removes it), real local and bwrap sandboxes.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from fixloop.execution import acquire_shared, file_spec, run_shared
from fixloop.sandbox import Status, shared
from fixloop.settings import Settings

from .conftest import skip_docker_if_asked


@pytest.fixture(autouse=True)
async def close_shared_sandboxes() -> None:
    yield
    await shared.close_all()


def settings_for(kind: str) -> Settings:
    image = os.environ.get("FIXLOOP_TEST_IMAGE") or Settings().docker_image
    return Settings(sandbox=kind, docker_image=image, timeout=20.0, memory=512)


async def test_a_dead_docker_container_is_replaced_on_the_next_run(project: Path) -> None:
    skip_docker_if_asked("docker")
    settings = settings_for("docker")
    spec = file_spec("main.py", root=project, settings=settings)
    first = await run_shared(spec, settings)
    assert first.value.status is Status.ERROR and first.value.error is not None
    assert first.value.error.type == "ZeroDivisionError"
    sandbox = await acquire_shared(settings)
    containers = list(sandbox._containers.values())  # type: ignore[attr-defined]
    shared.release(sandbox)
    assert containers, "the docker sandbox has no container"
    for container in containers:
        container.kill()
    second = await run_shared(spec, settings)
    assert second.value.status is Status.ERROR, second.value
    assert second.value.error is not None and second.value.error.type == "ZeroDivisionError"
    assert second.serial != first.serial  # a new sandbox, with a new container
    third = await run_shared(spec, settings)
    assert third.serial == second.serial  # and that one is kept for the runs after


@pytest.mark.parametrize("kind", ["local", "bwrap", "docker"])
async def test_the_shared_copy_follows_the_project_on_disk(kind: str, project: Path) -> None:
    skip_docker_if_asked(kind)
    settings = settings_for(kind)
    (project / "pkg").mkdir()
    (project / "pkg" / "__init__.py").write_text("")
    (project / "pkg" / "value.py").write_text("VALUE = 1\n")
    (project / "show.py").write_text(
        "import os\nfrom pkg.value import VALUE\nprint(VALUE, os.path.exists('gone.txt'))\n"
    )
    (project / "gone.txt").write_text("soon deleted\n")
    spec = file_spec("show.py", root=project, settings=settings)
    first = await run_shared(spec, settings)
    assert first.value.stdout == "1 True\n", first.value
    (project / "pkg" / "value.py").write_text("VALUE = 22\n")  # a change of size and content
    (project / "gone.txt").unlink()
    second = await run_shared(spec, settings)
    assert second.value.stdout == "22 False\n", second.value
    # An editor buffer (overlay) still wins over the file on disk, and is undone after.
    overlaid = file_spec(
        "show.py", root=project, settings=settings, overlay={"pkg/value.py": "VALUE = 333\n"}
    )
    assert (await run_shared(overlaid, settings)).value.stdout == "333 False\n"
    assert (await run_shared(spec, settings)).value.stdout == "22 False\n"
    assert second.serial == first.serial


@pytest.mark.parametrize("kind", ["local", "bwrap", "docker"])
async def test_a_saved_buffer_runs_as_the_file_and_an_unsaved_one_as_itself(
    kind: str, project: Path
) -> None:
    # Run File sends the document's buffer, usually the saved file itself: the copy then skips
    # writing it. A buffer that differs, a file changed on disk, and a program that rewrites
    # its own file must each still be what the next run sees.
    skip_docker_if_asked(kind)
    settings = settings_for(kind)
    script = project / "me.py"
    saved = "import sys\nprint('saved', open(sys.argv[0]).read().count(chr(64)))\n"
    script.write_text(saved)

    async def run(buffer: str) -> str:
        spec = file_spec("me.py", root=project, settings=settings, source=buffer)
        return (await run_shared(spec, settings)).value.stdout

    assert await run(saved) == "saved 0\n"
    unsaved = saved.replace("'saved'", "'unsaved'") + "# @\n"
    assert await run(unsaved) == "unsaved 1\n"
    assert await run(saved) == "saved 0\n"  # the unsaved buffer was undone
    on_disk = saved + "# @@\n"
    script.write_text(on_disk)
    assert await run(on_disk) == "saved 2\n"
    rewrites = "import sys\nopen(sys.argv[0], 'a').write('# @@@\\n')\nprint('rewrote')\n"
    script.write_text(rewrites)
    if kind == "local":  # only the local copy is writable by the program
        assert await run(rewrites) == "rewrote\n"
        assert await run(rewrites) == "rewrote\n"
        assert script.read_text() == rewrites  # the project itself never changes
    script.write_text(on_disk)
    assert await run(on_disk) == "saved 2\n"


async def test_docker_alternating_buffers_equal_to_the_files_stream_nothing(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Run Tests overlays the module, Run File the script: in a session they alternate. While
    # each buffer equals the file the container's copy holds, no run streams anything into
    # the container (an exec through the engine each time); a buffer that differs is streamed,
    # and undone byte for byte when the next run no longer overlays it.
    skip_docker_if_asked("docker")
    from fixloop.sandbox import dockerstage

    streamed: list[int] = []
    real_exec = dockerstage.exec_with_input

    def counting_exec(*args, **kwargs):  # type: ignore[no-untyped-def]
        streamed.append(len(args[3]))  # the tar archive's size
        return real_exec(*args, **kwargs)

    monkeypatch.setattr(dockerstage, "exec_with_input", counting_exec)
    settings = settings_for("docker")
    (project / "mod.py").write_text("WORD = 'module'\n")
    (project / "app.py").write_text("from mod import WORD\nprint('app', WORD)\n")

    async def run(overlay: dict[str, str]) -> str:
        spec = file_spec("app.py", root=project, settings=settings, overlay=overlay)
        return (await run_shared(spec, settings)).value.stdout

    module, app = (project / "mod.py").read_text(), (project / "app.py").read_text()
    assert await run({"app.py": app}) == "app module\n"
    first = len(streamed)
    assert first == 1  # the whole project, once
    for _ in range(3):
        assert await run({"mod.py": module}) == "app module\n"
        assert await run({"app.py": app}) == "app module\n"
    assert len(streamed) == first
    assert await run({"mod.py": "WORD = 'buffer'\n"}) == "app buffer\n"
    assert len(streamed) == first + 1
    assert await run({"app.py": app}) == "app module\n"  # mod.py's original is back
    assert len(streamed) == first + 2
    (project / "mod.py").write_text("WORD = 'saved'\n")  # the buffer, saved: one file streamed
    assert await run({"mod.py": "WORD = 'saved'\n"}) == "app saved\n"
    assert await run({"app.py": app}) == "app saved\n"
    assert len(streamed) == first + 3
