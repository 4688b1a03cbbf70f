"""Fixtures of the AI tests: the fake OpenAI-compatible server, and the settings and taxonomy
that point the application at it."""

from datetime import UTC, datetime

import pytest

from ai.config import AIConfig
from ai.types import Taxonomy
from settings_app.models import Category
from tests.posts.factories import PostFactory
from tests.settings_app.factories import CategoryFactory, SubcategoryFactory

from .fake_openai import FakeOpenAI

NOW = datetime(2026, 3, 18, 12, 0, tzinfo=UTC)

TAXONOMY = {
    "Finance": ["Investing", "Personal Finance"],
    "Fitness & Health": ["Nutrition", "Workouts"],
}

SMALL_TAXONOMY = Taxonomy(
    categories={name: tuple(subs) for name, subs in TAXONOMY.items()},
    reel_styles=("Talking Head", "Lifestyle/B-roll", "Hybrid", "Other"),
)


@pytest.fixture
def fake_openai():
    """A fake OpenAI-compatible server on 127.0.0.1, stopped after the test."""
    fake = FakeOpenAI().start()
    yield fake
    fake.stop()


@pytest.fixture
def ai_config(fake_openai) -> AIConfig:
    """The library's configuration, pointed at the fake; a short timeout."""
    return AIConfig(
        api_key="test-key", base_url=fake_openai.url + "/v1", model="gpt-4o-mini", timeout_s=1.0
    )


@pytest.fixture
def taxonomy(db) -> dict[str, Category]:
    """A small taxonomy, alone (the migration's default is removed for predictable names)."""
    Category.objects.all().delete()
    categories = {}
    for name, subs in TAXONOMY.items():
        categories[name] = CategoryFactory(name=name)
        for sub in subs:
            SubcategoryFactory(category=categories[name], name=sub)
    return categories


@pytest.fixture
def ai_settings(settings, fake_openai, taxonomy):
    """The application's AI configured and pointed at the fake (the real `openai` client)."""
    settings.OPENAI_API_KEY = "test-key"
    settings.OPENAI_BASE_URL = fake_openai.url + "/v1"
    settings.OPENAI_MODEL = "gpt-4o-mini"
    settings.AI_TIMEOUT_S = 0.5
    settings.AI_MAX_ATTEMPTS = 3
    settings.AI_CONCURRENCY = 4
    settings.AI_BATCH_SIZE = 50
    settings.REFRESH_BACKOFF_SECONDS = 300
    return settings


def queued_post(**fields):
    """A post the AI queue takes: its metadata is known (refreshed once)."""
    defaults = {
        "caption": "3 index funds I would buy with my first $1,000 #investing",
        "base_format": "video",
        "content_type": "video_short",
        "duration_s": 31.0,
        "last_updated": NOW,
    }
    return PostFactory(**{**defaults, **fields})
