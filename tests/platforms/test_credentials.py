"""The providers read their tokens from the encrypted PlatformCredential rows, the environment
stays the fallback, and a rotated token is used at once, without a restart (issue 16).

The providers run end to end against the fake APIs on 127.0.0.1; the fake records the token
each request carried.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from platforms.providers import chain, registry
from platforms.providers.base import PostRef, ProfileRef, ProviderError
from settings_app.models import PlatformCredential

from .conftest import Reply
from .test_apify_provider import TIKTOK_URL, apify_route

pytestmark = pytest.mark.django_db

TIKTOK_REF = PostRef("tiktok", "6886892080350629125", TIKTOK_URL)
VIDEO_REF = PostRef("youtube", "YE7VzlLtp-4", "https://www.youtube.com/watch?v=YE7VzlLtp-4")


@pytest.fixture
def apify(fake_api, providers_settings):
    fake_api.route = apify_route
    return fake_api


def sent_apify_tokens(fake_api) -> list[str]:
    return [r.headers["Authorization"] for r in fake_api.requests]


def test_a_credential_row_wins_over_the_environment(apify):
    PlatformCredential.objects.create(platform="apify", name="scraper token", token="row-token")

    [result] = chain.fetch_posts([TIKTOK_REF])

    assert result.stats is not None
    assert sent_apify_tokens(apify) == ["Bearer row-token"]


def test_a_rotated_token_is_used_on_the_next_call_without_a_restart(apify):
    row = PlatformCredential.objects.create(platform="apify", name="token", token="first")
    chain.fetch_posts([TIKTOK_REF])

    row.token = "rotated"
    row.save()
    chain.fetch_posts([TIKTOK_REF])

    assert sent_apify_tokens(apify) == ["Bearer first", "Bearer rotated"]


def test_without_a_row_or_after_its_removal_the_environment_token_is_used(apify):
    chain.fetch_posts([TIKTOK_REF])
    row = PlatformCredential.objects.create(platform="apify", name="token", token="row-token")
    chain.fetch_posts([TIKTOK_REF])
    row.delete()
    chain.fetch_posts([TIKTOK_REF])

    assert sent_apify_tokens(apify) == [
        "Bearer test-apify",
        "Bearer row-token",
        "Bearer test-apify",
    ]


def test_an_expired_row_is_not_used(apify):
    PlatformCredential.objects.create(
        platform="apify",
        name="old token",
        token="expired",
        expires_at=timezone.now() - timedelta(days=1),
    )

    chain.fetch_posts([TIKTOK_REF])

    assert sent_apify_tokens(apify) == ["Bearer test-apify"]


def test_a_provider_with_no_environment_token_is_configured_by_its_row(
    fake_api, providers_settings
):
    providers_settings.YOUTUBE_API_KEY = ""
    registry.clear_cache()
    assert registry.chain("youtube", "posts") == []

    PlatformCredential.objects.create(platform="youtube", name="data api key", token="yt-row")
    fake_api.route = lambda request: Reply(body={"items": []})
    [result] = chain.fetch_posts([VIDEO_REF])

    assert [p.name for p in registry.chain("youtube", "posts")] == ["youtube_api"]
    assert [r.query["key"] for r in fake_api.requests] == ["yt-row"]
    assert result.error is not None  # the fake knows no such video: NotFound, asked with the row


def test_the_instagram_graph_token_and_user_id_come_from_their_rows(fake_api, providers_settings):
    providers_settings.PLATFORM_PROVIDERS = {"instagram": ["instagram_graph"]}
    PlatformCredential.objects.create(platform="instagram", name="graph token", token="ig-row")
    PlatformCredential.objects.create(platform="instagram", name="graph user id", token="1789")

    with pytest.raises(ProviderError):  # the fake answers 404; only the request matters here
        chain.fetch_profile(ProfileRef("instagram", "natgeo", "https://www.instagram.com/natgeo/"))

    [request] = fake_api.requests
    assert request.path.endswith("/1789")
    assert request.headers["Authorization"] == "Bearer ig-row"
