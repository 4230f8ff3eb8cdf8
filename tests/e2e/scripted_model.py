"""A scripted OpenAI-compatible model on 127.0.0.1 for the e2e's Solve Task step.

It answers every chat request with a program that writes squares.txt (through the same
`ScriptedServer` the model-layer tests use, so the real `openai` client talks to it over HTTP),
prints its base URL on the first line of stdout, and stops when its stdin closes.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/, for llm.scripted_server

from llm.scripted_server import RecordedRequest, Reply, ScriptedServer  # noqa: E402

PROGRAM = (
    "```python\n"
    "with open('squares.txt', 'w') as f:\n"
    "    f.write(' '.join(str(i * i) for i in range(5)))\n"
    "print('wrote squares.txt')\n"
    "```\n"
)


def main() -> None:
    server = ScriptedServer()

    def answer(_request: RecordedRequest) -> Reply:
        return Reply(content=PROGRAM)

    server.fallback = answer
    server.start()
    print(server.base_url, flush=True)
    sys.stdin.read()  # until the e2e closes our stdin
    server.stop()


if __name__ == "__main__":
    main()
