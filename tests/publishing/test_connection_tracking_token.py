"""An own (connected) account is tracked with its connection's token (specs/publishing.md §1,
last line): through the real refresh job and the YouTube Data API provider, against a fake API
on 127.0.0.1. posts offers the hook (posts.hooks.account_tokens); publishing registers it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from creators.models import Account
from operations import jobs
from platforms import http
from platforms.providers import registry
from publishing.choices import ConnectionMethod, ConnectionStatus
from tests.creators.factories import AccountFactory
from tests.platforms.conftest import FakeAPI, Reply, load_sample
from tests.publishing.factories import SocialConnectionFactory

pytestmark = pytest.mark.django_db

CHANNEL = load_sample("youtube_api_channels_list_snippet_statistics.json")["response"]


@pytest.fixture
def api(settings):
    fake = FakeAPI()
    fake.thread.start()
    settings.YOUTUBE_API_KEY = "public-key"
    settings.YOUTUBE_API_BASE_URL = fake.url + "/youtube/v3"
    settings.PLATFORM_PROVIDERS = {"instagram": [], "tiktok": [], "youtube": ["youtube_api"]}
    settings.PROVIDER_RETRY_BACKOFF_S = 0.0
    registry.clear_cache()
    http._sessions.clear()
    fake.route = lambda request: Reply(200, CHANNEL)
    yield fake
    fake.server.shutdown()
    fake.server.server_close()
    registry.clear_cache()
    http._sessions.clear()


def _youtube_account(handle: str) -> Account:
    return AccountFactory(
        platform="youtube", username=handle, url=f"https://www.youtube.com/@{handle}"
    )


def test_an_own_channel_is_refreshed_with_its_connection_token_and_others_with_the_key(api):
    own = _youtube_account("googledevelopers")
    _youtube_account("someoneelse")
    SocialConnectionFactory(
        account=own,
        platform="youtube",
        method=ConnectionMethod.GOOGLE,
        access_token="ya29.own-token",
        token_expires_at=timezone.now() + timedelta(hours=1),
        meta={"channel_id": "UC_x5XG1OV2P6uZZ5FSM9Ttw"},
    )
    jobs.refresh_account_stats()
    calls = api.calls("/channels")
    with_token = [c for c in calls if c.headers.get("Authorization") == "Bearer ya29.own-token"]
    with_key = [c for c in calls if c.query.get("key") == "public-key"]
    assert len(with_token) == 1 and "key" not in with_token[0].query
    assert with_token[0].query["id"] == "UC_x5XG1OV2P6uZZ5FSM9Ttw"
    assert len(with_key) == 1 and with_key[0].query["forHandle"] == "@someoneelse"
    own.refresh_from_db()
    assert own.followers == int(CHANNEL["items"][0]["statistics"]["subscriberCount"])


def test_a_connection_waiting_for_a_reconnect_lends_no_token(api):
    own = _youtube_account("googledevelopers")
    SocialConnectionFactory(
        account=own,
        platform="youtube",
        method=ConnectionMethod.GOOGLE,
        access_token="ya29.dead",
        status=ConnectionStatus.NEEDS_REAUTH,
    )
    jobs.refresh_account_stats()
    (call,) = api.calls("/channels")
    assert call.query.get("key") == "public-key" and "Authorization" not in call.headers


def test_a_refresh_batch_mixing_an_own_channel_reserves_the_quota_it_spends(api, settings):
    """An own channel's videos are read with its token, the others with the key: two calls,
    and two quota units reserved for them (the limits shared by every worker stay true)."""
    from core.models import ProviderState
    from tests.posts.factories import PostFactory

    videos = load_sample("youtube_api_videos_list_snippet_contentDetails_status_statistics.json")
    api.route = lambda request: Reply(200, videos["response"])
    own, other = _youtube_account("googledevelopers"), _youtube_account("someoneelse")
    SocialConnectionFactory(
        account=own,
        platform="youtube",
        method=ConnectionMethod.GOOGLE,
        access_token="ya29.own-token",
        token_expires_at=timezone.now() + timedelta(hours=1),
    )
    for n, account in enumerate((own, other)):
        PostFactory(
            platform="youtube",
            post_id=f"vid{n:08d}",
            url=f"https://www.youtube.com/watch?v=vid{n:08d}",
            account=account,
            next_refresh_at=timezone.now() - timedelta(minutes=1),
        )

    jobs.refresh_post_stats()

    calls = api.calls("/videos")
    assert len(calls) == 2
    assert ProviderState.objects.get(provider="youtube_api").quota_used == len(calls)
