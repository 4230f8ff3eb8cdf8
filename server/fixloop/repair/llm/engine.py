"""`ModelEngine`: the language model as a candidate generator inside the repair loop.

The loop hands the engine a `RepairSession`. The engine holds one AutoGen conversation: it shows
the model the file, the target range, the failure as a debugger would show it (`repair_prompt`:
the failing tests' source, pytest's explanation, the locals at the failure, the printed output,
the suspicious lines, the best partial candidate) and the attempts already rejected; each answer
is extracted (`extract.py`), fitted to the range and given to `session.try_replacement`, whose
verdict (outcome, reason, truncated output) becomes the next user turn, with the best partial
candidate when a new one turned up. A verified candidate
ends the conversation; so do the turn, wall-time and token budgets. `search()` returns an
`EngineReport` (tokens, cost, stop reason, notes); model turns and usage go to the loop's
transcript through `session.record`. Configuration problems raise `EngineConfigError` (the CLI
exits 2); an endpoint that keeps failing ends the search with a stop reason instead of crashing
the loop.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from fixloop.repair.engine import EngineConfigError, EngineReport, RepairSession
from fixloop.repair.llm.context import partial_section
from fixloop.repair.llm.errors import ModelBudgetExhausted, ModelConfigError, ModelUnavailableError
from fixloop.repair.llm.extract import extract_code, fit_to_range, redefined_outside
from fixloop.repair.llm.prompts import (
    FIX_SYSTEM,
    extraction_feedback,
    scrubber,
    verdict_feedback,
)
from fixloop.repair.llm.repair_prompt import fix_prompt
from fixloop.settings import ModelConfig, Settings

if TYPE_CHECKING:
    from fixloop.repair.llm.client import ModelConversation


class ModelEngine:
    """Implements `fixloop.repair.engine.Engine` with an OpenAI-compatible model."""

    name = "llm"

    def __init__(self, model: ModelConfig, settings: Settings) -> None:
        from fixloop.repair.llm.client import check_config

        try:
            check_config(model)  # fail before the loop spends time on a model it cannot call
        except ModelConfigError as error:
            raise EngineConfigError(str(error)) from None
        self.model = model
        self.settings = settings
        self.max_turns = settings.max_turns
        # Figures of the last search, also returned in its EngineReport.
        self.tokens = 0
        self.prompt_tokens = 0
        self.completion_tokens = 0
        self.cost_usd = 0.0
        self.turns = 0
        self.stop_reason = ""
        self.notes: list[str] = []  # one line per answer that never reached the loop
        self._partial_shown: str | None = None  # text of the partial candidate last shown

    def _conversation(self) -> ModelConversation:
        from fixloop.repair.llm.client import ModelConversation

        return ModelConversation(self.model, system_message=FIX_SYSTEM)

    def _scrubber(self, session: RepairSession) -> Callable[[str], str]:
        secrets = [self.model.api_key] if self.model.api_key else []
        return scrubber(root=session.root, extra_secrets=secrets)

    def _partial_news(self, session: RepairSession, scrub: Callable[[str], str]) -> str:
        """The best partial candidate, when it is not the one the model saw last."""
        partial = session.best_partial()
        if partial is None or partial.text == self._partial_shown:
            return ""
        self._partial_shown = partial.text
        return partial_section(session, partial, scrub).text

    async def search(self, session: RepairSession) -> EngineReport:
        await self._search(session)
        return EngineReport(
            tokens=self.tokens,
            cost_usd=self.cost_usd,
            stop_reason=self.stop_reason,
            notes=tuple(self.notes),
        )

    async def _search(self, session: RepairSession) -> None:
        conversation = self._conversation()
        target = session.target
        original_range = "".join(
            session.source.splitlines(keepends=True)[target.start - 1 : target.end]
        )
        scrub = self._scrubber(session)
        message = fix_prompt(session, scrub=scrub)
        first_partial = session.best_partial()
        self._partial_shown = first_partial.text if first_partial else None
        started = time.monotonic()
        try:
            for turn in range(1, self.max_turns + 1):
                if session.solved:
                    return
                remaining = session.remaining_seconds()
                if remaining <= 0:
                    self.stop_reason = "the wall-time budget ran out"
                    return
                if conversation.over_token_budget():
                    self.stop_reason = (
                        f"the token budget ({conversation.limits.token_budget}) ran out"
                    )
                    return
                session.progress(f"model turn {turn}/{self.max_turns}")
                deadline = time.monotonic() + remaining
                answer = await conversation.ask(scrub(message), deadline=deadline)
                self._count(conversation)
                session.record("model_turn", turn=turn, **answer.turn_fields())
                extraction = extract_code(
                    answer.text,
                    finish_reason=answer.finish_reason,
                    max_chars=conversation.limits.max_answer_chars,
                    original=original_range,
                )
                if extraction.code is None:
                    message = self._reject(session, turn, extraction.reason)
                    continue
                replacement = fit_to_range(
                    extraction.code, session.source, target.start, target.end
                )
                outside = redefined_outside(replacement, session.source, target.start, target.end)
                if outside:
                    message = self._reject(
                        session,
                        turn,
                        (
                            f"the answer redefines {', '.join(outside)}, which lie outside lines "
                            f"{target.start}-{target.end}; change only the target range"
                        ),
                    )
                    continue
                verdict = await session.try_replacement(replacement, origin=f"llm turn {turn}")
                if verdict.verified:
                    return
                message = verdict_feedback(verdict, target.start, target.end)
                news = self._partial_news(session, scrub)
                if news:
                    message = f"{news}\n\n{message}"
            self.stop_reason = f"no verified fix within {self.max_turns} model turns"
        except ModelConfigError as error:
            self.stop_reason = str(error)
            session.progress(f"model error: {error}")
            raise EngineConfigError(str(error)) from None
        except (ModelUnavailableError, ModelBudgetExhausted) as error:
            self.stop_reason = str(error)
            session.progress(f"model stopped: {error}")
        finally:
            self._count(conversation)
            session.record(
                "model_usage",
                model=self.model.model,
                turns=conversation.turns,
                prompt_tokens=self.prompt_tokens,
                completion_tokens=self.completion_tokens,
                tokens=self.tokens,
                cost_usd=round(self.cost_usd, 6),
                stop_reason=self.stop_reason,
            )
            self.notes.append(
                f"model: {conversation.turns} turns, {self.tokens} tokens, "
                f"{time.monotonic() - started:.1f} s"
            )
            await conversation.close()

    def _reject(self, session: RepairSession, turn: int, reason: str) -> str:
        """Record an answer that never reached the loop; return the feedback for the model."""
        note = f"model turn {turn}: answer rejected: {reason}"
        self.notes.append(note)
        session.record("model_rejected", turn=turn, reason=reason)
        session.progress(note)
        return extraction_feedback(reason, session.target.start, session.target.end)

    def _count(self, conversation: ModelConversation) -> None:
        self.turns = conversation.turns
        self.prompt_tokens = conversation.prompt_tokens
        self.completion_tokens = conversation.completion_tokens
        self.tokens = conversation.tokens
        self.cost_usd = conversation.cost_usd()
