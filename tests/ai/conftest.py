"""Fixtures of the AI library's tests: a configuration pointed at the fake OpenAI-compatible
server (the `fake_openai` fixture is in tests/conftest.py). The application's side (settings,
taxonomy rows, queued posts) is in tests/posts/conftest.py."""

import pytest

from ai.config import AIConfig
from ai.types import Taxonomy

TAXONOMY = {
    "Finance": ["Investing", "Personal Finance"],
    "Fitness & Health": ["Nutrition", "Workouts"],
}

SMALL_TAXONOMY = Taxonomy(
    categories={name: tuple(subs) for name, subs in TAXONOMY.items()},
    reel_styles=("Talking Head", "Lifestyle/B-roll", "Hybrid", "Other"),
)


@pytest.fixture
def ai_config(fake_openai) -> AIConfig:
    """The library's configuration, pointed at the fake; a short timeout."""
    return AIConfig(
        api_key="test-key", base_url=fake_openai.url + "/v1", model="gpt-4o-mini", timeout_s=1.0
    )
