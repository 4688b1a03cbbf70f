"""Fixtures of the analytics tests: a small rolled-up agency; the AI settings pointed at the
fake OpenAI server (ask the workspace)."""

import pytest

from tests.analytics.agency import agency_create


@pytest.fixture
def agency(db):
    """A small rolled-up agency (tests/analytics/agency.py)."""
    return agency_create()


@pytest.fixture
def ask_ai(settings, fake_openai):
    settings.OPENAI_API_KEY = "test-key"
    settings.OPENAI_BASE_URL = fake_openai.url + "/v1"
    settings.OPENAI_MODEL = "gpt-4o-mini"
    settings.AI_TIMEOUT_S = 1.0
    return fake_openai
