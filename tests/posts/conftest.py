"""Fixtures of the posts tests: the application's AI pointed at the fake OpenAI-compatible
server (tests/conftest.py) with a small taxonomy and queued posts, and the fake provider API on
127.0.0.1 (tests/platforms) for the refresh job end to end."""

from datetime import UTC, datetime

import pytest

from settings_app.models import Category
from tests.ai.conftest import TAXONOMY
from tests.platforms.conftest import fake_api, providers_settings  # noqa: F401 (fixtures)
from tests.posts.factories import PostFactory
from tests.settings_app.factories import CategoryFactory, SubcategoryFactory

NOW = datetime(2026, 3, 18, 12, 0, tzinfo=UTC)


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
