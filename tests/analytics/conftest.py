"""Ask the workspace's tests: the AI settings pointed at the fake OpenAI server."""

import pytest


@pytest.fixture
def ask_ai(settings, fake_openai):
    settings.OPENAI_API_KEY = "test-key"
    settings.OPENAI_BASE_URL = fake_openai.url + "/v1"
    settings.OPENAI_MODEL = "gpt-4o-mini"
    settings.AI_TIMEOUT_S = 1.0
    return fake_openai
