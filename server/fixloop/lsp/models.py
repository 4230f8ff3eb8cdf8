"""The model-only commands: `fixloop.generateTests` and `fixloop.task`.

Both need a model. Without one they answer `{ok: false, code: "no-model", missing}` where
`missing` lists exactly what is absent: the model name (the `fixloop.model` setting or
FIXLOOP_MODEL), the API key (FIXLOOP_API_KEY or OPENAI_API_KEY in the server's environment,
which the VS Code client fills from its secret storage), or both. A key is not needed when a base
URL points at a server that takes none (Ollama and the like), the same rule the model layer
applies. The domain modules are imported on first use.
"""

from __future__ import annotations

import importlib
from typing import Any, Literal

from fixloop.lsp.context import (
    MAX_OUTPUT_CHARS,
    ServerContext,
    argument,
    cap_output,
    range_argument,
    run_tracked,
    target_of,
)
from fixloop.lsp.edits import creation_edit, selection_lines
from fixloop.lsp.errors import CommandError, ErrorCode, error_for
from fixloop.lsp.progress import LoopProgress
from fixloop.settings import ModelConfig, model_config

Missing = Literal["model", "key"]
TASK_OWNER = "fixloop:task"  # tasks belong to no document; fixloop.cancel {} reaches them here


def missing_model_parts(config: ModelConfig) -> list[Missing]:
    missing: list[Missing] = []
    if not config.model:
        missing.append("model")
    if not config.api_key and not config.base_url:
        missing.append("key")
    return missing


def _no_model_reason(what: str, missing: list[Missing]) -> str:
    parts = {
        "model": "a model name (the fixloop.model setting)",
        "key": 'an API key ("Fixloop: Set API Key")',
    }
    needed = " and ".join(parts[m] for m in missing)
    return f"{what} needs a model: set {needed}"


def _model_function(
    server: ServerContext, what: str, module: str, name: str
) -> tuple[ModelConfig, Any]:
    """The model and the domain function of a model-only feature; CommandError when unusable."""
    config = model_config(server.settings)
    missing = missing_model_parts(config)
    if missing:
        raise CommandError(_no_model_reason(what, missing), ErrorCode.NO_MODEL, missing=missing)
    try:
        function = getattr(importlib.import_module(module), name)
    except ImportError as exc:
        raise error_for(exc, server.settings.sandbox) from exc
    return config, function


def _cancel(server: ServerContext, owner: str) -> None:
    server.documents.get(owner).cancel("cancelled by the user")


async def generate_tests_command(server: ServerContext, args: tuple[Any, ...]) -> dict[str, Any]:
    raw = argument(args)
    target = target_of(server, raw)
    selection = range_argument(raw.get("range"))
    model, generate_tests = _model_function(
        server, "Test generation", "fixloop.testgen", "generate_tests"
    )
    line_range = selection_lines(selection) if selection else None
    progress = LoopProgress(
        server, "Fixloop: generate tests", on_cancel=lambda: _cancel(server, target.uri)
    )
    await progress.begin(f"writing tests for {target.path.name}")
    try:
        generated = await run_tracked(
            server,
            target.uri,
            generate_tests(
                target.path,
                target.root,
                target.text,
                line_range,
                server.settings,
                model,
                progress=progress.report,
            ),
            progress.report,
        )
    except Exception as exc:
        progress.end("stopped")
        raise error_for(exc, server.settings.sandbox) from exc
    progress.end(generated.reason or f"{generated.passed} passed, {generated.failed} failed")
    test_uri = (target.root / generated.path).as_uri()
    edit = None
    if generated.text and server.supports_create_files:
        # A new file the client creates when the user accepts it; the server writes nothing.
        edit = server.to_json(creation_edit(test_uri, generated.text))
    return {
        "ok": generated.reason is None,
        "path": str(generated.path),
        "uri": test_uri,
        "text": generated.text,
        "diff": generated.diff,
        "passed": generated.passed,
        "failed": generated.failed,
        "bugsFound": [str(bug) for bug in generated.bugs],
        "edit": edit,
        "reason": generated.reason,
    }


async def task_command(server: ServerContext, args: tuple[Any, ...]) -> dict[str, Any]:
    raw = argument(args)
    text = raw.get("text")
    if not isinstance(text, str) or not text.strip():
        raise CommandError("fixloop.task needs a non-empty `text`")
    model, solve_task = _model_function(server, "Solve Task", "fixloop.task", "solve_task")
    progress = LoopProgress(
        server, "Fixloop: solve task", on_cancel=lambda: _cancel(server, TASK_OWNER)
    )
    await progress.begin(text[:80])
    try:
        # No out_dir: the server never writes files; the client saves what the user keeps.
        solved = await run_tracked(
            server,
            TASK_OWNER,
            solve_task(text, None, server.settings, model, progress=progress.report),
            progress.report,
        )
    except Exception as exc:
        progress.end("stopped")
        raise error_for(exc, server.settings.sandbox) from exc
    progress.end("solved" if solved.solved else solved.reason)
    return {
        "ok": bool(solved.solved),
        "scriptName": solved.script_name,
        "script": solved.script or "",
        "files": [_produced_file(f) for f in solved.files],
        "output": cap_output(solved.output),
        "folder": raw.get("folder"),
        "reason": solved.reason or None,
    }


def _produced_file(produced: Any) -> dict[str, Any]:
    try:
        text: str | None = produced.data.decode("utf-8")
    except UnicodeDecodeError:
        text = None  # binary output: the client offers to save it, it cannot show it
    if text is not None and len(text) > MAX_OUTPUT_CHARS * 50:
        text = None
    return {"name": produced.name, "size": len(produced.data), "text": text}
