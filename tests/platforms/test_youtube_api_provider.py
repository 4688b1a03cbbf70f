"""The YouTube API provider end to end against a fake API on 127.0.0.1, through the chain and
the shared rate limiter (real database)."""

import copy

import pytest

from core.models import ProviderState
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

pytestmark = pytest.mark.django_db

VIDEO = load_sample("youtube_api_videos_list_snippet_contentDetails_status_statistics.json")[
    "response"
]["items"][0]
CHANNELS = load_sample("youtube_api_channels_list_contentDetails_uploads_multi.json")["response"]
PLAYLIST = load_sample("youtube_api_playlistItems_list_page1.json")["response"]


def video_id(number: int) -> str:
    return f"vid{number:08d}"


def youtube_route(request):
    if request.path.endswith("/videos"):
        items = []
        for vid in request.query["id"].split(","):
            if vid.startswith("gone"):
                continue
            item = copy.deepcopy(VIDEO)
            item["id"] = vid
            number = vid[3:]
            item["statistics"]["viewCount"] = str(int(number) * 10) if number.isdigit() else "1"
            items.append(item)
        return Reply(body={"kind": "youtube#videoListResponse", "items": items})
    if request.path.endswith("/channels"):
        if request.query.get("forHandle") == "@nobody":
            return Reply(body={"kind": "youtube#channelListResponse", "items": []})
        return Reply(body={**CHANNELS, "items": CHANNELS["items"][:1]})
    if request.path.endswith("/playlistItems"):
        return Reply(body=PLAYLIST)
    return Reply(404, {"error": {"code": 404, "message": "no such resource"}})


@pytest.fixture
def youtube(fake_api, providers_settings):
    fake_api.route = youtube_route
    return fake_api


def refs(count: int) -> list[PostRef]:
    return [
        PostRef("youtube", video_id(n), f"https://www.youtube.com/watch?v={video_id(n)}")
        for n in range(count)
    ]


def test_120_posts_take_exactly_3_videos_list_calls(youtube):
    results = chain.fetch_posts(refs(120))
    calls = youtube.calls("/videos")
    assert len(calls) == 3
    assert [len(call.query["id"].split(",")) for call in calls] == [50, 50, 20]
    assert all(call.query["key"] == "test-key" for call in calls)
    assert len(results) == 120
    assert all(result.error is None for result in results)
    assert results[7].stats.views == 70
    assert results[119].stats.post_id == video_id(119)
    state = ProviderState.objects.get(provider="youtube_api")
    assert state.quota_used == 3
    assert state.last_success_at is not None


def test_a_video_missing_from_the_answer_is_not_found(youtube):
    gone = PostRef("youtube", "gone0000000", "https://www.youtube.com/watch?v=gone0000000")
    [found, missing] = chain.fetch_posts([refs(1)[0], gone])
    assert found.stats.views == 0
    assert isinstance(missing.error, NotFound)


def test_a_channel_is_looked_up_by_its_handle(youtube):
    profile = chain.fetch_profile(
        ProfileRef("youtube", "google", "https://www.youtube.com/@google")
    )
    assert (profile.username, profile.followers) == ("google", 10700000)
    [call] = youtube.calls("/channels")
    assert call.query["forHandle"] == "@google"


def test_a_channel_url_is_looked_up_by_its_id_and_a_user_url_by_username(youtube):
    chain.fetch_profile(
        ProfileRef(
            "youtube",
            "UCK8sQmJBp8GCxrOtXWBpyEA",
            "https://www.youtube.com/channel/UCK8sQmJBp8GCxrOtXWBpyEA",
        )
    )
    chain.fetch_profile(ProfileRef("youtube", "Google", "https://www.youtube.com/user/Google"))
    by_id, by_username = youtube.calls("/channels")
    assert by_id.query["id"] == "UCK8sQmJBp8GCxrOtXWBpyEA"
    assert by_username.query["forUsername"] == "Google"


def test_an_unknown_handle_is_not_found(youtube):
    with pytest.raises(NotFound):
        chain.fetch_profile(ProfileRef("youtube", "nobody", "https://www.youtube.com/@nobody"))


def test_recent_posts_read_the_uploads_playlist_then_the_videos(youtube):
    posts = chain.list_recent_posts(
        ProfileRef("youtube", "google", "https://www.youtube.com/@google"), limit=5
    )
    [playlist_call] = youtube.calls("/playlistItems")
    assert playlist_call.query["playlistId"] == "UUK8sQmJBp8GCxrOtXWBpyEA"
    assert playlist_call.query["maxResults"] == "5"
    [videos_call] = youtube.calls("/videos")
    assert videos_call.query["id"].split(",") == [
        "CvTApw9X8aA",
        "Yh4EKaUY3gg",
        "S-MbpQiwfls",
        "BBjVl1EETb0",
        "h8CnO-oqqSs",
    ]
    assert len(posts) == 5
    assert all(post.username == "google" for post in posts)


def test_a_429_raises_rate_limited_with_its_retry_after_and_pauses_the_provider(youtube):
    youtube.scripted.append(Reply(429, {"error": "slow down"}, {"Retry-After": "120"}))
    ref = ProfileRef("youtube", "google", "https://www.youtube.com/@google")
    with pytest.raises(RateLimited) as raised:
        chain.fetch_profile(ref)
    assert raised.value.retry_after == 120
    state = ProviderState.objects.get(provider="youtube_api")
    assert state.paused_until is not None
    assert "429" in state.last_error

    # Another worker: the pause is in the database, so the server is not asked again.
    asked = len(youtube.requests)
    with pytest.raises(RateLimited) as again:
        chain.fetch_profile(ref)
    assert 115 <= again.value.retry_after <= 120
    assert len(youtube.requests) == asked


def test_a_500_then_a_success_is_retried(youtube):
    youtube.scripted.append(Reply(500, "oops"))
    [result] = chain.fetch_posts(refs(1))
    assert result.stats is not None
    assert len(youtube.calls("/videos")) == 2


def test_500s_past_the_retries_are_a_temporary_error(youtube):
    youtube.scripted.extend([Reply(503, "down")] * 3)
    [result] = chain.fetch_posts(refs(1))
    assert isinstance(result.error, TemporaryError)
    assert len(youtube.calls("/videos")) == 3


def test_quota_exceeded_is_quota_exhausted_and_spends_the_days_quota(youtube):
    youtube.scripted.append(
        Reply(
            403,
            {
                "error": {
                    "code": 403,
                    "message": "The request cannot be completed because you have exceeded your quota.",
                    "errors": [{"reason": "quotaExceeded", "domain": "youtube.quota"}],
                }
            },
        )
    )
    [result] = chain.fetch_posts(refs(1))
    assert isinstance(result.error, QuotaExhausted)
    assert ProviderState.objects.get(provider="youtube_api").quota_used == 10000
    asked = len(youtube.requests)
    [again] = chain.fetch_posts(refs(1))
    assert isinstance(again.error, QuotaExhausted)
    assert len(youtube.requests) == asked


def test_malformed_json_is_a_provider_error_that_says_so(youtube):
    youtube.scripted.append(Reply(200, "{not json"))
    [result] = chain.fetch_posts(refs(1))
    assert type(result.error) is ProviderError
    assert "malformed JSON" in str(result.error)


def test_an_answer_slower_than_the_read_timeout_is_a_temporary_error(youtube, settings):
    settings.PROVIDER_READ_TIMEOUT_S = 0.2
    youtube.scripted.append(Reply(200, {"items": []}, delay=1.0))
    [result] = chain.fetch_posts(refs(1))
    assert isinstance(result.error, TemporaryError)
    assert "did not answer within 0.2 s" in str(result.error)
    assert len(youtube.calls("/videos")) == 1  # a slow answer is not retried


def test_without_a_key_the_provider_is_skipped(youtube, settings):
    settings.YOUTUBE_API_KEY = ""
    [result] = chain.fetch_posts(refs(1))
    assert isinstance(result.error, chain.NoProvider)
    assert youtube.requests == []
