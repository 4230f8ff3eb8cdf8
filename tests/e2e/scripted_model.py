"""A scripted OpenAI-compatible model on 127.0.0.1 for the e2e's Solve Task steps.

It answers through the same `ScriptedServer` the model-layer tests use, so the real `openai`
client talks to it over HTTP. A task that names the probe package (`fixloop_probe_pkg`) gets a
shell block that pip-installs it from the index given with `--index-url URL` (the e2e's own,
tests/e2e/package_index.py) and a program that imports it and writes its value to probe.txt;
any other task gets a program that writes squares.txt. It prints its base URL on the first line
of stdout and stops when its stdin closes.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/, for llm.scripted_server

from llm.package_index import MODULE, PACKAGE  # noqa: E402
from llm.scripted_server import RecordedRequest, Reply, ScriptedServer  # noqa: E402

PROGRAM = (
    "```python\n"
    "with open('squares.txt', 'w') as f:\n"
    "    f.write(' '.join(str(i * i) for i in range(5)))\n"
    "print('wrote squares.txt')\n"
    "```\n"
)


def package_program(index_url: str) -> str:
    """A plain `pip install` (no --target: the task's own package directory is pip's target),
    then a program that shows where the module came from and writes the value only it holds."""
    return (
        f"```bash\npip install --index-url {index_url} {PACKAGE}\n```\n"
        "```python\n"
        f"import {MODULE}\n"
        f"with open('probe.txt', 'w') as f:\n"
        f"    f.write({MODULE}.VALUE)\n"
        f"print('used {MODULE}', {MODULE}.VALUE, 'from', {MODULE}.__file__)\n"
        "```\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--index-url", help="the package index for the probe package's task")
    options = parser.parse_args()
    server = ScriptedServer()

    def answer(request: RecordedRequest) -> Reply:
        if MODULE in request.last_user_text() and options.index_url:
            return Reply(content=package_program(options.index_url))
        return Reply(content=PROGRAM)

    server.fallback = answer
    server.start()
    print(server.base_url, flush=True)
    sys.stdin.read()  # until the e2e closes our stdin
    server.stop()


if __name__ == "__main__":
    main()
