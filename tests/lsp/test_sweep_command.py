"""Fix All Failing Tests through the real language server over stdio: `fixloop.sweep` sweeps the
workspace with work-done progress and answers with the jobs as data; `fixloop.sweepEdit` gives a
verified fix as an edit versioned for the open document, and refuses a document that changed."""

from __future__ import annotations

from pathlib import Path

from fixloop.lsp.edits import apply_text_edit
from lsprotocol import types
from pytest_lsp import LanguageClient

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
