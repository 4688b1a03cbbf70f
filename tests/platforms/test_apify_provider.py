"""The Apify provider end to end against a fake Apify API on 127.0.0.1, through the chain."""

import pytest
import requests

from core.models import ProviderState
from platforms import http
from platforms.providers import chain
from platforms.providers.base import (
    NotFound,
    PostRef,
    ProfileRef,
    ProviderError,
    QuotaExhausted,
    RateLimited,
    TemporaryError,
)

from .conftest import Reply, load_sample
from .test_mapping_apify import APIFY_INSTAGRAM_REEL

pytestmark = pytest.mark.django_db

TIKTOK_POST = load_sample("tiktok_scraper_style_post_kierapleaze_2020.json")["post_partial"]
REEL_URL = "https://www.instagram.com/p/DRqAYKuAIUx/"
GONE_URL = "https://www.instagram.com/p/GoneGoneGone/"
TIKTOK_URL = "https://www.tiktok.com/@kierapleaze/video/6886892080350629125"


def apify_route(request):
    if request.path.endswith("apify~instagram-scraper/run-sync-get-dataset-items"):
        items = []
        for url in request.body["directUrls"]:
            if url == REEL_URL:
                items.append(APIFY_INSTAGRAM_REEL)
            else:
                items.append({"url": url, "error": "not_found", "errorDescription": "Not found"})
        return Reply(body=items)
    if request.path.endswith("apify~instagram-profile-scraper/run-sync-get-dataset-items"):
        return Reply(
            body=[
                {
                    "username": request.body["usernames"][0],
                    "followersCount": 1000,
                    "followsCount": 10,
                    "postsCount": 3,
                    "latestPosts": [APIFY_INSTAGRAM_REEL],
                }
            ]
        )
    if request.path.endswith("clockworks~tiktok-scraper/run-sync-get-dataset-items"):
        return Reply(body=[TIKTOK_POST])
    return Reply(404, {"error": {"type": "record-not-found", "message": "Actor not found"}})


@pytest.fixture
def apify(fake_api, providers_settings):
    fake_api.route = apify_route
    return fake_api


def test_instagram_posts_go_to_the_actor_in_one_batch_and_match_by_shortcode(apify):
    reel = PostRef("instagram", "DRqAYKuAIUx", REEL_URL)
    gone = PostRef("instagram", "GoneGoneGone", GONE_URL)
    found, missing = chain.fetch_posts([reel, gone])
    [call] = apify.requests
    assert call.method == "POST"
    assert call.headers["Authorization"] == "Bearer test-apify"
    assert call.body["directUrls"] == [REEL_URL, GONE_URL]
    assert (found.stats.views, found.stats.likes, found.stats.source) == (2866120, 135430, "apify")
    assert isinstance(missing.error, NotFound)


def test_a_tiktok_post_is_fetched_with_shares_and_followers(apify):
    [result] = chain.fetch_posts([PostRef("tiktok", "6886892080350629125", TIKTOK_URL)])
    assert (result.stats.shares, result.stats.followers) == (715, 470700)
    assert apify.requests[0].body["postURLs"] == [TIKTOK_URL]


def test_an_instagram_profile_and_its_latest_posts(apify):
    ref = ProfileRef("instagram", "natgeo", "https://www.instagram.com/natgeo/")
    profile = chain.fetch_profile(ref)
    assert (profile.username, profile.followers, profile.following) == ("natgeo", 1000, 10)
    [post] = chain.list_recent_posts(ref, limit=10)
    assert post.post_id == "DRqAYKuAIUx"


def test_a_tiktok_profile_comes_from_its_latest_posts_author(apify):
    ref = ProfileRef("tiktok", "kierapleaze", "https://www.tiktok.com/@kierapleaze")
    assert chain.fetch_profile(ref).followers == 470700
    assert apify.requests[0].body["profiles"] == ["kierapleaze"]
    [post] = chain.list_recent_posts(ref, limit=5)
    assert post.views == 185100


def test_a_429_pauses_apify_alone(apify, settings):
    apify.scripted.append(
        Reply(429, {"error": {"type": "rate-limit-exceeded"}}, {"Retry-After": "30"})
    )
    [result] = chain.fetch_posts([PostRef("tiktok", "6886892080350629125", TIKTOK_URL)])
    assert isinstance(result.error, RateLimited)
    assert result.error.retry_after == 30
    assert ProviderState.objects.get(provider="apify").paused_until is not None
    assert not ProviderState.objects.filter(
        provider="youtube_api", paused_until__isnull=False
    ).exists()
    asked = len(apify.requests)
    [again] = chain.fetch_posts([PostRef("tiktok", "6886892080350629125", TIKTOK_URL)])
    assert isinstance(again.error, RateLimited)
    assert len(apify.requests) == asked


def test_a_5xx_on_a_run_is_not_repeated_so_no_second_paid_run_starts(apify):
    apify.scripted.append(Reply(502, "bad gateway"))
    [result] = chain.fetch_posts([PostRef("tiktok", "6886892080350629125", TIKTOK_URL)])
    assert isinstance(result.error, TemporaryError)
    assert "not repeated" in str(result.error)
    assert [r.method for r in apify.requests] == ["POST"]


def test_a_run_whose_answer_never_comes_is_not_repeated(apify):
    apify.scripted.append(Reply(200, [TIKTOK_POST], delay=3.0))  # past the 2 s read timeout
    [result] = chain.fetch_posts([PostRef("tiktok", "6886892080350629125", TIKTOK_URL)])
    assert isinstance(result.error, TemporaryError)
    assert len(apify.calls("run-sync-get-dataset-items")) == 1


def test_a_run_is_retried_when_the_connection_could_not_even_be_opened(
    apify, settings, monkeypatch
):
    # The first attempt goes to a port nothing listens on: the POST never left, so retrying it
    # cannot start a second run. The second attempt reaches the fake Apify.
    real_url, dead_url = settings.APIFY_BASE_URL, "http://127.0.0.1:1/v2"
    sent = []
    original = requests.Session.request

    def request(session, method, url, **kwargs):
        sent.append(url)
        if len(sent) == 1:
            url = url.replace(real_url, dead_url)
        return original(session, method, url, **kwargs)

    monkeypatch.setattr(requests.Session, "request", request)
    [result] = chain.fetch_posts([PostRef("tiktok", "6886892080350629125", TIKTOK_URL)])
    assert result.stats.views == 185100
    assert len(sent) == 2
    assert [r.method for r in apify.requests] == ["POST"]


def test_a_5xx_on_a_read_is_still_retried(fake_api, providers_settings):
    fake_api.scripted.append(Reply(503, "busy"))
    fake_api.route = lambda request: Reply(body={"ok": True})
    answer = http.request_json("youtube_api", "GET", providers_settings.YOUTUBE_API_BASE_URL + "/x")
    assert answer == {"ok": True}
    assert [r.method for r in fake_api.requests] == ["GET", "GET"]


def test_a_used_up_plan_is_quota_exhausted(apify):
    apify.scripted.append(
        Reply(402, {"error": {"type": "platform-usage-limit-reached", "message": "Usage limit"}})
    )
    [result] = chain.fetch_posts([PostRef("tiktok", "6886892080350629125", TIKTOK_URL)])
    assert isinstance(result.error, QuotaExhausted)


def test_malformed_json_says_so(apify):
    apify.scripted.append(Reply(200, "[{]"))
    [result] = chain.fetch_posts([PostRef("tiktok", "6886892080350629125", TIKTOK_URL)])
    assert "malformed JSON" in str(result.error)


def test_an_answer_that_is_not_a_list_of_items_is_a_provider_error(apify):
    apify.scripted.append(Reply(200, {"data": {}}))
    [result] = chain.fetch_posts([PostRef("tiktok", "6886892080350629125", TIKTOK_URL)])
    assert type(result.error) is ProviderError


def test_a_run_slower_than_the_read_timeout_is_a_temporary_error(apify, settings):
    settings.APIFY_READ_TIMEOUT_S = 0.2
    apify.scripted.append(Reply(200, [], delay=1.0))
    [result] = chain.fetch_posts([PostRef("tiktok", "6886892080350629125", TIKTOK_URL)])
    assert isinstance(result.error, TemporaryError)


def test_a_post_the_actor_returned_nothing_for_falls_to_the_next_provider(apify, settings):
    apify.route = lambda request: Reply(body=[])
    settings.PLATFORM_PROVIDERS = {"tiktok": ["apify"]}
    [result] = chain.fetch_posts([PostRef("tiktok", "6886892080350629125", TIKTOK_URL)])
    assert type(result.error) is ProviderError
    assert not result.error.final
