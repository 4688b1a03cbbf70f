"""The insight card on the admin's analytics page: shown for a client, a creator or a
campaign (a hint otherwise), its AI explanation asked once and read back on later views."""

import pytest
from django.urls import reverse

from analytics.insights import NOT_CONFIGURED
from tests.analytics.reporting import MARCH, agency
from tests.settings_app.factories import UserFactory

URL = "admin:analytics_dashboard"
PERIOD = {"start_date": MARCH[0].isoformat(), "end_date": MARCH[1].isoformat()}
GOOD = "All 3 top posts were Talking Head Finance reels. They were posted at 18:00."


@pytest.fixture
def world(db):
    return agency()


@pytest.fixture
def owner_client(client, db):
    client.force_login(UserFactory(roles=["Owner"], is_staff=True))
    return client


@pytest.fixture
def ai_on(settings, fake_openai):
    settings.OPENAI_API_KEY = "test-key"
    settings.OPENAI_BASE_URL = fake_openai.url + "/v1"
    settings.OPENAI_MODEL = "gpt-4o-mini"
    settings.AI_TIMEOUT_S = 1.0
    return fake_openai


def test_a_clients_page_shows_its_top_3_posts_what_they_share_and_why(owner_client, world, ai_on):
    ai_on.script({"explanation": GOOD})

    response = owner_client.get(reverse(URL), {"scope": f"client:{world['client'].pk}", **PERIOD})

    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="insight-card"' in html
    assert GOOD in html
    for star, gained in zip(world["stars"], (50_000, 30_000, 24_000), strict=True):
        assert f'data-insight-post="{star.pk}" data-views-gained="{gained}"' in html
        assert f'href="{star.url}"' in html
    assert "45.5×" in html
    assert "3 of 3: reel style Talking Head" in html


def test_the_explanation_is_asked_once_for_two_page_views(owner_client, world, ai_on):
    ai_on.script({"explanation": GOOD})
    params = {"scope": f"client:{world['client'].pk}", **PERIOD}

    first = owner_client.get(reverse(URL), params).content.decode()
    second = owner_client.get(reverse(URL), params).content.decode()

    assert GOOD in first and GOOD in second
    assert len(ai_on.requests) == 1


def test_without_ai_the_page_shows_the_facts_and_says_why(owner_client, world, settings):
    settings.OPENAI_API_KEY = ""

    html = owner_client.get(
        reverse(URL), {"scope": f"client:{world['client'].pk}", **PERIOD}
    ).content.decode()

    assert NOT_CONFIGURED in html
    assert f'data-insight-post="{world["stars"][0].pk}"' in html


def test_without_a_client_creator_or_campaign_the_page_says_to_pick_one(owner_client, world):
    html = owner_client.get(reverse(URL), PERIOD).content.decode()

    assert 'id="insight-hint"' in html
    assert "data-insight-post" not in html
