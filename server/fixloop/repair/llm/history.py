"""The conversation history a model sees again: earlier answers as short summaries, never whole.

AutoGen's `AssistantAgent` re-sends its whole model context with every request. An answer that
was rejected (a 5 MB reply, a wrong fix) would then cost every later request its full size, and
a hostile answer would keep its say in every turn. `SummarisedAnswers` is the agent's model
context: when an assistant answer is stored, it is replaced by a summary of a few lines (how
large it was, how many code blocks and lines it had, and the lines it added or changed compared
with the code the user turns showed), so later requests grow by at most about a kilobyte per
turn. The answer itself still reaches the caller whole; the verdict on it is the next user turn.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from autogen_core.model_context import UnboundedChatCompletionContext
from autogen_core.models import AssistantMessage, LLMMessage, UserMessage

from fixloop.repair.llm.extract import fenced_blocks

SHOWN_LINES = 8
LINE_CHARS = 160
# "  12 | code": the numbered listing the repair prompt shows.
_NUMBERED = re.compile(r"^\s*\d+ \| ?(.*)$")


def _shown_lines(texts: Iterable[str]) -> set[str]:
    seen = set()
    for text in texts:
        for line in text.splitlines():
            numbered = _NUMBERED.match(line)
            seen.add((numbered.group(1) if numbered else line).strip())
    return seen


def _short(line: str) -> str:
    line = line.rstrip()
    return line if len(line) <= LINE_CHARS else line[: LINE_CHARS - 3] + "..."


def summarise_answer(answer: str, shown: set[str]) -> str:
    """A few lines saying what `answer` was, with the code lines not among `shown`."""
    blocks, _ = fenced_blocks(answer)
    code = "\n".join(block.code for block in blocks) if blocks else answer
    lines = [line for line in code.splitlines() if line.strip()]
    new = [line for line in lines if line.strip() not in shown]
    head = (
        f"[An earlier answer of mine, summarised and not repeated: {len(answer):,} characters, "
        f"{len(blocks)} code block{'s' if len(blocks) != 1 else ''}, {len(lines):,} non-empty "
        "lines."
    )
    if not new:
        body = ["It changed no line compared with the code shown."]
    else:
        body = [
            f"Lines it added or changed ({min(len(new), SHOWN_LINES)} of {len(new):,}):",
            *(f"    {_short(line)}" for line in new[:SHOWN_LINES]),
        ]
    return "\n".join([head, *body, "The verdict on it follows.]"])


class SummarisedAnswers(UnboundedChatCompletionContext):
    """A model context that stores each assistant answer as `summarise_answer` of it."""

    async def add_message(self, message: LLMMessage) -> None:
        if isinstance(message, AssistantMessage) and isinstance(message.content, str):
            shown = _shown_lines(
                m.content
                for m in self._messages
                if isinstance(m, UserMessage) and isinstance(m.content, str)
            )
            message = AssistantMessage(
                content=summarise_answer(message.content, shown), source=message.source
            )
        await super().add_message(message)
