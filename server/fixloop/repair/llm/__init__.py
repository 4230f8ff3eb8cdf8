"""The model engine: candidate repairs from an OpenAI-compatible language model (AutoGen-based).

`ModelEngine` implements the repair `Engine` contract; `ModelConversation` (in `client`, imported
lazily because it pulls in openai and autogen) is shared with task mode and test generation.
"""

from fixloop.repair.llm.engine import ModelEngine
from fixloop.repair.llm.errors import ModelConfigError, ModelError, ModelUnavailableError

__all__ = ["ModelConfigError", "ModelEngine", "ModelError", "ModelUnavailableError"]
