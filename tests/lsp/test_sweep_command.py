"""Fix All Failing Tests through the real language server over stdio: `fixloop.sweep` sweeps the
workspace with work-done progress and answers with the jobs as data; `fixloop.sweepEdit` gives a
verified fix as an edit versioned for the open document, and refuses a document that changed."""

from __future__ import annotations

from pathlib import Path

from fixloop.lsp.edits import apply_text_edit
from lsprotocol import types
from pytest_lsp import LanguageClient

from .conftest import SANDBOX
from .helpers import change, open_document, run_command

MODULE = "def half(x):\n    return x * 2\n"
TESTS = (
    "from calc.ops import half\n\n\n"
    "def test_half():\n    assert half(8) == 4\n\n\n"
    "def test_zero():\n    assert half(0) == 0\n"
)


async def test_sweep_then_apply_a_fix_as_a_versioned_edit(
    client: LanguageClient, workspace: Path
) -> None:
    (workspace / "calc").mkdir()
    (workspace / "calc/__init__.py").write_text("")
    (workspace / "calc/ops.py").write_text(MODULE)
    (workspace / "tests").mkdir()
    (workspace / "tests/test_ops.py").write_text(TESTS)
    result = await run_command(client, "fixloop.sweep", {"folder": workspace.as_uri()})
    assert result["ok"] is True, result
    assert (result["failed"], result["passed"]) == (1, 1)
    (job,) = result["jobs"]
    assert job["target"] == "calc/ops.py" and job["tests"] == ["tests/test_ops.py::test_half"]
    assert job["verdict"] == "fixed" and job["inCombinedPatch"] is True, job
    assert job["uri"] == (workspace / "calc/ops.py").as_uri()
    assert job["original"] == MODULE and job["fixed"] not in ("", MODULE)
    assert result["combined"] == {
        "holds": True,
        "before": "1/2 tests pass",
        "after": "2/2 tests pass",
    }
    assert (workspace / "calc/ops.py").read_text() == MODULE  # the server wrote nothing
    (token,) = client.progress_reports
    kinds = [type(report).__name__ for report in client.progress_reports[token]]
    assert kinds[0] == "WorkDoneProgressBegin" and kinds[-1] == "WorkDoneProgressEnd"
    # Apply: the edit is for the open document's version and turns it into the fixed text.
    uri = open_document(client, workspace / "calc/ops.py", MODULE, version=3)
    answer = await run_command(client, "fixloop.sweepEdit", {"job": job["id"], "uri": uri})
    assert answer["ok"] is True and answer["version"] == 3, answer
    (document_edit,) = answer["edit"]["documentChanges"]
    assert document_edit["textDocument"] == {"uri": uri, "version": 3}
    text = MODULE
    for edit in document_edit["edits"]:
        text = apply_text_edit(
            text,
            types.TextEdit(
                range=types.Range(
                    start=types.Position(**edit["range"]["start"]),
                    end=types.Position(**edit["range"]["end"]),
                ),
                new_text=edit["newText"],
            ),
        )
    assert text == job["fixed"]
    # The document changed since the sweep: no edit, a stale answer.
    change(client, uri, 4, MODULE + "\n# edited\n")
    stale = await run_command(client, "fixloop.sweepEdit", {"job": job["id"], "uri": uri})
    assert stale["ok"] is False and stale["stale"] is True, stale


SECOND_MODULE = "def triple(x):\n    return x + 3\n"
SECOND_TESTS = "from calc.more import triple\n\n\ndef test_triple():\n    assert triple(2) == 6\n"


def write_two_modules(workspace: Path) -> None:
    (workspace / "calc").mkdir()
    (workspace / "calc/__init__.py").write_text("")
    (workspace / "calc/ops.py").write_text(MODULE)
    (workspace / "calc/more.py").write_text(SECOND_MODULE)
    (workspace / "tests").mkdir()
    (workspace / "tests/test_ops.py").write_text(TESTS)
    (workspace / "tests/test_more.py").write_text(SECOND_TESTS)


def configure(client: LanguageClient, **settings: str) -> None:
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"fixloop": {"sandbox": SANDBOX, **settings}})
    )


async def test_a_sweep_fails_closed_then_runs_its_jobs_on_the_servers_shared_sandbox(
    client: LanguageClient, workspace: Path
) -> None:
    write_two_modules(workspace)
    # A sandbox that cannot open: the sweep says so with the sandbox's reason, and nothing runs.
    configure(client, python="/nonexistent/bin/python3")
    answer = await run_command(client, "fixloop.sweep", {"folder": workspace.as_uri()})
    assert answer["ok"] is False and answer["code"] == "sandbox-unavailable", answer
    assert "/nonexistent/bin/python3" in answer["reason"]
    assert (workspace / "calc/ops.py").read_text() == MODULE
    # Back to a working interpreter: the server opens its shared sandbox again, a later
    # opening than the one `initialized` warmed (serial 2 or more), while any other process
    # opening its first sandbox would number it 1. Run File before and after the sweep reports
    # which opening ran it; every job must report the same one: a sandbox opened per job (or
    # per sweep, or in a worker process) would carry another serial, or 0 when a job's loop
    # opened one for itself.
    configure(client)
    script = open_document(client, workspace / "hello.py", "print('hi')\n")
    before = await run_command(client, "fixloop.runFile", {"uri": script})
    assert before["status"] == "ok" and before["sandboxSerial"] >= 2, before
    result = await run_command(client, "fixloop.sweep", {"folder": workspace.as_uri()})
    assert result["ok"] is True, result
    jobs = result["jobs"]
    assert sorted(job["target"] for job in jobs) == ["calc/more.py", "calc/ops.py"]
    assert all(job["verdict"] == "fixed" for job in jobs), jobs
    assert [job["sandboxSerial"] for job in jobs] == [before["sandboxSerial"]] * 2
    after = await run_command(client, "fixloop.runFile", {"uri": script})
    assert after["sandboxSerial"] == before["sandboxSerial"]
