"""Which repair engines a fix request gets: the offline engine, a model engine, or both.

`engines_for` reads the request's settings: `offline` is the deterministic repairer alone,
`llm` the model alone (it needs a configured model), and `auto` the offline engine first, then
the model when one is configured. Missing model configuration or a missing optional package is a
`FixUsageError` with one clear line, raised before any sandbox opens.
"""

from __future__ import annotations

from fixloop.fixes import FixRequest, FixUsageError
from fixloop.repair.engine import Engine, EngineConfigError
from fixloop.repair.offline import OfflineEngine
from fixloop.settings import model_config


def engines_for(request: FixRequest) -> list[Engine]:
    choice = request.settings.engine
    model = model_config(request.settings)
    engines: list[Engine] = []
    if choice in ("auto", "offline"):
        engines.append(OfflineEngine())
    if choice == "llm" or (choice == "auto" and model.configured):
        if not model.configured:
            raise FixUsageError(
                "the llm engine needs a model: pass --model NAME (and --base-url URL for a "
                "non-OpenAI server) or set FIXLOOP_MODEL, with the key in FIXLOOP_API_KEY or "
                "OPENAI_API_KEY"
            )
        try:
            from fixloop.repair.llm import ModelEngine
        except ImportError as exc:
            raise FixUsageError(
                f"the llm engine is not available: {exc} (pip install 'fixloop[llm]')"
            ) from exc
        try:
            engines.append(ModelEngine(model, request.settings))
        except EngineConfigError as exc:
            raise FixUsageError(str(exc)) from None
    return engines
