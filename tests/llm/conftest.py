"""Fixtures for the model-layer tests: a scripted OpenAI-compatible server on 127.0.0.1.

Each test gets a fresh server and a `ModelConfig` pointing at it with a canary API key, so the
real openai client (through AutoGen) goes over real HTTP and every request can be inspected.
The model is configured through the environment, as a user would, and FIXLOOP_STATE_DIR points
the transcripts at a temporary directory.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fixloop.settings import ModelConfig

from .scripted_server import ScriptedServer

CANARY_KEY = "sk-canary-3f9a7c1e5d2b4a60"


@pytest.fixture
def scripted() -> Iterator[ScriptedServer]:
    server = ScriptedServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def model_env(
    scripted: ScriptedServer,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path_factory: pytest.TempPathFactory,
) -> ModelConfig:
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "FIXLOOP_MODEL", "FIXLOOP_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("FIXLOOP_MODEL", "scripted-coder")
    monkeypatch.setenv("FIXLOOP_BASE_URL", scripted.base_url)
    monkeypatch.setenv("FIXLOOP_API_KEY", CANARY_KEY)
    monkeypatch.setenv("FIXLOOP_MODEL_TIMEOUT", "5")
    monkeypatch.setenv("FIXLOOP_STATE_DIR", str(tmp_path_factory.mktemp("state")))
    return ModelConfig(model="scripted-coder", base_url=scripted.base_url, api_key=CANARY_KEY)
