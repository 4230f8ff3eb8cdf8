"""Task mode: the model writes a program for a task in words, the sandbox runs it, errors go back.

This is AutoGen's code-writing agent with our sandbox as the executor and a stricter stop: the
conversation ends when a run exits 0 and every file the task asked for exists, not when the
model says it is done. Programs run through `fixloop.repair.llm.executor.ProgramExecutor` (a
warm worker inside the sandbox, or one sandbox run each) in a copy of a private temporary
directory that holds only the user's `--data` files; the files a program produces come back from
every backend the same way. Only the final script and those files are ever written on the host,
by `save_outputs`, into the output directory. Shell blocks run only when allowed; `pip install`
only with the network on; model file names are checked before anything is written or run.
The conversation lives here; the result and file names in `task_files`, the sandbox in `task_runs`.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from fixloop.repair.llm.errors import ModelBudgetExhausted, ModelUnavailableError
from fixloop.repair.llm.extract import extract_code
from fixloop.repair.llm.prompts import fenced, head_tail, scrubber
from fixloop.sandbox.base import RunResult
from fixloop.settings import ModelConfig, Settings, model_config
from fixloop.task_files import (
    ProducedFile,
    TaskResult,
    expected_outputs,
    safe_relative_name,
    save_outputs,
)
from fixloop.task_runs import TaskRuns, package_directory

if TYPE_CHECKING:
    from fixloop.repair.llm.client import ModelConversation
    from fixloop.transcript import Transcript

DEFAULT_SCRIPT = "task_script.py"
TASK_SYSTEM = """You solve tasks by writing one complete Python program. Reply with exactly one \
```python fenced block. The program runs in a sandbox with the current directory as its working \
directory; input files named in the task are there; write every output file there, under the \
name the task gives. It must not read from stdin or ask questions. Print a short summary of what \
it did. If it fails, you get the error and write a corrected complete program."""


def _mentions_pip(shell: Sequence[str]) -> bool:
    return any(re.search(r"\bpip3?\s+install\b|-m\s+pip\b", block) for block in shell)


def _shell_refusal(shell: Sequence[str], settings: Settings, allow_shell: bool) -> str:
    if not shell:
        return ""
    if not allow_shell:
        return "shell blocks are not run (the user did not allow shell; use --allow-shell); write Python only"
    if not settings.network and _mentions_pip(shell):
        return (
            "pip install cannot work: the sandbox has no network (the user can enable it with "
            "--network); use the standard library or the packages already installed"
        )
    return ""


def _run_feedback(
    result: RunResult, output: str, missing: Sequence[str], settings: Settings
) -> str:
    if result.ok and missing:
        return (
            f"The program exited 0 but did not create {', '.join(missing)}. Output:\n"
            f"{fenced(head_tail(output))}\nWrite the complete corrected program."
        )
    status = f"status {result.status.value}" + (
        f", exit code {result.exit_code}" if result.exit_code is not None else ""
    )
    if result.limit_hit:
        status += f", stopped by the {result.limit_hit} limit"
    hint = ""
    if result.error and result.error.type == "ModuleNotFoundError":
        hint = (
            "\nThat module is not installed in the sandbox"
            + ("." if settings.network else " and the network is off, so it cannot be installed.")
            + " Use the standard library or another installed package."
        )
    return (
        f"The program failed ({status}). Output:\n{fenced(head_tail(output))}{hint}\n"
        "Write the complete corrected program."
    )


async def solve_task(
    task: str,
    out_dir: Path | None = None,
    settings: Settings | None = None,
    model: ModelConfig | None = None,
    *,
    data_files: Sequence[Path] = (),
    expected_files: Sequence[str] | None = None,
    allow_shell: bool | None = None,
    progress: Callable[[str], None] | None = None,
) -> TaskResult:
    """Let the model write and fix a program for `task` until a sandbox run proves it works.

    With `out_dir`, a solved task's script and produced files are saved there (`written`).
    """
    from fixloop.repair.llm.client import ModelConversation
    from fixloop.transcript import Transcript

    settings = settings or Settings()
    config = model or model_config(settings)
    conversation = ModelConversation(config, system_message=TASK_SYSTEM)
    shell_ok = settings.allow_shell if allow_shell is None else allow_shell
    report = progress or (lambda message: None)
    inputs = [Path(p).name for p in data_files]
    wanted = tuple(expected_files) if expected_files is not None else expected_outputs(task, inputs)
    deadline = time.monotonic() + settings.budget
    transcript = Transcript("task")
    with (
        tempfile.TemporaryDirectory(prefix="fixloop-task-") as private,
        package_directory(settings) as packages,
    ):
        root = Path(private)
        for data in data_files:
            shutil.copyfile(data, root / Path(data).name)
        # The sandbox opens while the model writes its first answer.
        runs = TaskRuns(settings, root, packages)
        try:
            result = await _converse(
                task,
                conversation,
                runs,
                settings,
                inputs,
                wanted,
                shell_ok,
                deadline,
                report,
                transcript,
            )
        except BaseException:
            await runs.close(wait=True)  # cancelled or failed: the programs die before we return
            raise
        else:
            await runs.close()
        finally:
            await conversation.close()
            transcript.close()
    if out_dir is not None and result.solved:
        result = replace(result, written=tuple(save_outputs(result, out_dir)))
    return result


async def _converse(
    task: str,
    conversation: ModelConversation,
    runs: TaskRuns,
    settings: Settings,
    inputs: Sequence[str],
    wanted: Sequence[str],
    shell_ok: bool,
    deadline: float,
    report: Callable[[str], None],
    transcript: Transcript,
) -> TaskResult:
    from fixloop.repair.llm.task_programs import INTERNAL, without_runner_frames

    root = runs.root
    secrets = [conversation.config.api_key] if conversation.config.api_key else []
    scrub = scrubber(root=root, extra_secrets=secrets)  # secrets looked up once, not per text

    def record(kind: str, **fields: object) -> None:
        transcript.write(
            kind, **{k: scrub(v) if isinstance(v, str) else v for k, v in fields.items()}
        )

    record(
        "task",
        text=task,
        inputs=list(inputs),
        wanted=list(wanted),
        sandbox=settings.sandbox,
        model=conversation.config.model,
    )
    message = f"Task: {task}"
    if inputs:
        message += f"\n\nInput files in the working directory: {', '.join(inputs)}"
    if wanted:
        message += f"\n\nThe run must create: {', '.join(wanted)}"
    script_name, script, output = DEFAULT_SCRIPT, None, ""
    files: dict[str, bytes] = {}
    skipped: list[str] = []
    reason = f"no working program within {settings.max_turns} model turns"
    notes: list[str] = []  # what the user must know about the sandbox, beyond the last run

    def result(solved: bool, why: str) -> TaskResult:
        if notes and not solved:
            why = f"{why}; {notes[-1]}"
        produced = tuple(ProducedFile(name, data) for name, data in sorted(files.items()))
        warm_runs, cold_runs = runs.counts()
        record(
            "result",
            solved=solved,
            reason=why,
            script=script_name,
            files=sorted(files),
            turns=conversation.turns,
            prompt_tokens=conversation.prompt_tokens,
            completion_tokens=conversation.completion_tokens,
            tokens=conversation.tokens,
            cost_usd=round(conversation.cost_usd(), 6),
        )
        return TaskResult(
            solved,
            script_name,
            script,
            produced,
            output,
            why,
            conversation.turns,
            conversation.tokens,
            conversation.cost_usd(),
            runs.sandbox_name(),
            tuple(skipped),
            model_seconds=conversation.model_seconds,
            warm_runs=warm_runs,
            cold_runs=cold_runs,
            transcript=transcript.location,
        )

    try:
        for turn in range(1, settings.max_turns + 1):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return result(False, "the wall-time budget ran out")
            if conversation.over_token_budget():
                return result(
                    False, f"the token budget ({conversation.limits.token_budget}) ran out"
                )
            report(f"model turn {turn}/{settings.max_turns}")
            answer = await conversation.ask(scrub(message), deadline=deadline)
            record("model_turn", turn=turn, **answer.turn_fields())
            extraction = extract_code(
                answer.text,
                finish_reason=answer.finish_reason,
                max_chars=conversation.limits.max_answer_chars,
            )
            refusal = _shell_refusal(extraction.shell, settings, shell_ok)
            if extraction.code is None:
                message = f"Your answer could not be used: {extraction.reason}." + (
                    f" Also: {refusal}." if refusal else ""
                )
                record("model_rejected", turn=turn, reason=extraction.reason)
                report(f"turn {turn}: {extraction.reason}")
                continue
            name = extraction.filename or DEFAULT_SCRIPT
            try:
                from fixloop.sandbox.autogen_executor import check_model_filename

                check_model_filename(name, "python")  # the sandbox's own rule for model file names
                safe_relative_name(name)
                if not name.endswith(".py") or name in INTERNAL:
                    raise ValueError("the program must be a .py file with a name of its own")
            except ValueError as error:
                message = f"Your answer could not be used: {error}. Use a plain relative file name."
                record("model_rejected", turn=turn, reason=str(error))
                report(f"turn {turn}: {error}")
                continue
            script_name, script = name, extraction.code
            executor = await runs.get()
            if not refusal and settings.network and _mentions_pip(extraction.shell):
                if problem := await executor.pip_problem():
                    refusal = f"pip install cannot work: {problem}"
                    notes.append(refusal)
            shell = "\n".join(extraction.shell) + "\n" if extraction.shell and not refusal else None
            run, files, skipped = await executor.run(name, extraction.code, shell)
            output = (
                run.stdout + ("\n" + without_runner_frames(run.stderr) if run.stderr else "")
            ).strip("\n")
            record(
                "run",
                turn=turn,
                script=name,
                code=extraction.code,
                status=run.status.value,
                exit_code=run.exit_code,
                output=head_tail(output, 2000),
                files=sorted(files),
                refused=refusal,
                sandbox=run.sandbox,
                duration_ms=run.duration_ms,
            )
            present = set(files) | set(inputs)
            missing = [w for w in wanted if w not in present]
            report(
                f"turn {turn}: run {run.status.value}"
                + (f", missing {', '.join(missing)}" if run.ok and missing else "")
            )
            if run.ok and not missing and not refusal:
                return result(True, "")
            message = _run_feedback(run, output, missing, settings)
            if refusal:
                message = (
                    f"Note: {refusal}.\n\n{message}"
                    if not run.ok or missing
                    else (
                        f"The program ran, but {refusal}. Reply with the same program without shell blocks."
                    )
                )
        return result(False, reason)
    except (ModelUnavailableError, ModelBudgetExhausted) as error:
        return result(False, str(error))
