"""yt-dlp info dicts (recorded by yt-dlp's own extractor tests) mapped into stats, and the
provider run with its one thin `extract_info` function replaced by those recordings."""

from datetime import UTC, datetime

import pytest

from platforms.providers import ytdlp
from platforms.providers.base import (
    LoginRequired,
    NotFound,
    PostRef,
    Private,
    ProfileRef,
    ProviderError,
    RateLimited,
    TemporaryError,
)
from platforms.providers.ytdlp import YtDlpProvider, error_for, map_channel, map_listing, map_post

from .conftest import load_sample


def info(name):
    test = load_sample(name)["test"]
    entry = dict(test["info_dict"])
    entry.setdefault("webpage_url", test["url"])
    if "playlist" in test:
        entry["_type"] = "playlist"
        entry["entries"] = [item["info_dict"] for item in test["playlist"]]
    return entry


def test_a_youtube_video_maps_counters_date_and_a_long_format():
    stats = map_post(info("ytdlp_youtube_watch_YE7VzlLtp-4.json"), "youtube")
    assert (stats.post_id, stats.views, stats.likes, stats.comments) == (
        "YE7VzlLtp-4",
        1001,
        102,
        13,
    )
    assert stats.shares is None
    assert stats.username == "blenderofficial"
    assert stats.post_date == datetime.fromtimestamp(1212060266, tz=UTC)
    assert stats.followers == 6000
    assert stats.duration_s == 597
    assert stats.caption == "Big Buck Bunny"
    assert stats.thumbnail_url == "https://i.ytimg.com/vi/YE7VzlLtp-4/maxresdefault.jpg"
    assert (stats.base_format, stats.content_type) == ("video", "video_long")
    assert stats.source == "ytdlp"


def test_a_youtube_short_is_a_short_video():
    stats = map_post(info("ytdlp_youtube_shorts_18NGQq7p3LY.json"), "youtube")
    assert (stats.post_id, stats.username) == ("18NGQq7p3LY", "으아-v1k")
    assert (stats.base_format, stats.content_type) == ("video", "video_short")
    assert stats.comments is None  # the extractor gave no comment count
    assert stats.post_date == datetime(2024, 8, 22, 5, 56, 10, tzinfo=UTC)


def test_a_youtube_video_with_storyboards_only_is_still_a_video():
    stats = map_post(info("ytdlp_youtube_watch_storyboards_5KLPxDtMqe8.json"), "youtube")
    assert (stats.views, stats.duration_s, stats.content_type) == (1001, 248, "video_long")
    assert stats.username == "scishow"


def test_an_instagram_reel_is_a_short_video_by_its_author():
    stats = map_post(info("ytdlp_instagram_reel_Chunk8-jurw.json"), "instagram")
    assert (stats.post_id, stats.username) == ("Chunk8-jurw", "instagram")
    assert (stats.likes, stats.comments, stats.views) == (102, 13, None)
    assert (stats.base_format, stats.content_type) == ("video", "video_short")
    assert stats.post_date == datetime.fromtimestamp(1661529231, tz=UTC)


def test_an_igtv_video_without_dimensions_has_an_unknown_content_type():
    stats = map_post(info("ytdlp_instagram_igtv_BkfuX9UB-eK.json"), "instagram")
    assert (stats.post_id, stats.duration_s) == ("BkfuX9UB-eK", 53.83)
    assert (stats.base_format, stats.content_type) == ("video", None)
    assert stats.caption.startswith("Meet Cass Hirst")


def test_an_instagram_post_with_several_videos_is_a_carousel():
    stats = map_post(info("ytdlp_instagram_multi_video_post_BQ0eAlwhDrw.json"), "instagram")
    assert stats.post_id == "BQ0eAlwhDrw"
    assert (stats.base_format, stats.content_type) == ("carousel", "carousel")


def test_a_tiktok_video_maps_shares_from_reposts_and_is_short():
    stats = map_post(info("ytdlp_tiktok_video_patroxofficial.json"), "tiktok")
    assert (stats.post_id, stats.username) == ("6742501081818877190", "patrox")
    assert (stats.views, stats.likes, stats.comments, stats.shares) == (1001, 102, 13, 4)
    assert (stats.width, stats.height) == (576, 1024)
    assert (stats.base_format, stats.content_type) == ("video", "video_short")


def test_a_tiktok_short_link_recording_maps_like_any_video():
    stats = map_post(info("ytdlp_tiktok_vm_ZTR45GpSF.json"), "tiktok")
    assert (stats.post_id, stats.username, stats.duration_s) == (
        "7106798200794926362",
        "akihitoko1",
        29,
    )
    assert stats.post_date == datetime.fromtimestamp(1654680400, tz=UTC)


def test_a_tiktok_slideshow_that_comes_back_as_its_sound_is_a_carousel():
    stats = map_post(info("ytdlp_tiktok_slideshow_hara_yoimiya.json"), "tiktok")
    assert (stats.base_format, stats.content_type) == ("carousel", "carousel")
    assert stats.shares == 4


def test_a_partial_tiktok_info_takes_its_aspect_from_the_thumbnail():
    excerpt = load_sample("ytdlp_tiktok_info_json_excerpt_issue9997.json")["excerpt"]
    excerpt["formats"] = [{"vcodec": "h264"}]
    ref = PostRef(
        "tiktok",
        "7366196093748546821",
        "https://www.tiktok.com/@ringtone_29/video/7366196093748546821",
    )
    stats = map_post(excerpt, "tiktok", ref=ref)
    assert stats.post_id == "7366196093748546821"
    assert stats.thumbnail_url.startswith("https://p16-sign-va.tiktokcdn.com/")
    assert (stats.width, stats.content_type) == (None, "video_short")


def test_a_youtube_channel_tab_gives_the_follower_count():
    profile = map_channel(info("ytdlp_youtube_tab_3blue1brown_about.json"))
    assert (profile.username, profile.external_id) == ("3blue1brown", "UCYO_jab_esuFRV4b17AJtAw")
    assert (profile.followers, profile.is_verified, profile.full_name) == (
        6000,
        True,
        "3Blue1Brown",
    )
    assert profile.media_count is None


def test_a_shorts_tab_listing_gives_channel_and_short_entries():
    tab = info("ytdlp_youtube_tab_NotJustBikes_shorts.json")
    assert map_channel(tab).username == "notjustbikes"
    flat = info("ytdlp_youtube_tab_shorts_flat_entry.json")
    [entry] = map_listing(flat, "youtube", limit=10)
    assert (entry.post_id, entry.views) == ("sSM9J5YH_60", 1001)
    assert (entry.base_format, entry.content_type) == ("video", "video_short")
    assert entry.likes is None


def test_a_tiktok_user_listing_names_its_entries_author():
    user = info("ytdlp_tiktok_user_corgibobaa.json")
    user["entries"] = [
        {
            "_type": "url",
            "id": "7300000000000000001",
            "url": "https://www.tiktok.com/@corgibobaa/video/7300000000000000001",
        },
        {
            "_type": "url",
            "id": "7300000000000000002",
            "url": "https://www.tiktok.com/@corgibobaa/video/7300000000000000002",
            "view_count": 55,
        },
    ]
    posts = map_listing(user, "tiktok", limit=1)
    assert [(p.post_id, p.username, p.content_type) for p in posts] == [
        ("7300000000000000001", "corgibobaa", "video_short")
    ]


@pytest.mark.parametrize(
    ("message", "error_class"),
    [
        ("ERROR: [youtube] abc: Private video. Sign in if you've been granted access", Private),
        (
            "ERROR: [youtube] abc: Video unavailable. This video has been removed by the uploader",
            NotFound,
        ),
        ("ERROR: [youtube] abc: Sign in to confirm you’re not a bot", LoginRequired),
        (
            "ERROR: [Instagram] x: Requested content is not available, rate-limit reached or login required",
            RateLimited,
        ),
        ("ERROR: [TikTok] 1: HTTP Error 429: Too Many Requests", RateLimited),
        ("ERROR: [TikTok] 1: Connection timed out", TemporaryError),
        ("ERROR: [TikTok] 1: Unsupported URL", ProviderError),
    ],
)
def test_yt_dlp_error_messages_become_typed_errors(message, error_class):
    assert type(error_for(message)) is error_class


def test_the_provider_fetches_posts_through_the_one_extract_function(monkeypatch):
    recordings = {
        "https://www.youtube.com/watch?v=YE7VzlLtp-4": info("ytdlp_youtube_watch_YE7VzlLtp-4.json"),
    }

    def fake_extract(url, *, flat=False, limit=None):
        if url not in recordings:
            raise error_for("ERROR: [youtube] x: Video unavailable")
        return recordings[url]

    monkeypatch.setattr(ytdlp, "extract_info", fake_extract)
    refs = [
        PostRef("youtube", "YE7VzlLtp-4", "https://www.youtube.com/watch?v=YE7VzlLtp-4"),
        PostRef("youtube", "gone0000000", "https://www.youtube.com/watch?v=gone0000000"),
    ]
    found, gone = YtDlpProvider().fetch_posts(refs)
    assert found.stats.views == 1001
    assert found.stats.url == "https://www.youtube.com/watch?v=YE7VzlLtp-4"
    assert isinstance(gone.error, NotFound)


def test_a_429_from_yt_dlp_stops_the_batch_so_the_provider_is_paused(monkeypatch):
    def fake_extract(url, *, flat=False, limit=None):
        raise error_for("ERROR: HTTP Error 429: Too Many Requests")

    monkeypatch.setattr(ytdlp, "extract_info", fake_extract)
    with pytest.raises(RateLimited):
        YtDlpProvider().fetch_posts([PostRef("tiktok", "1", "https://www.tiktok.com/@a/video/1")])


def test_the_provider_never_hands_yt_dlp_a_foreign_host(monkeypatch):
    monkeypatch.setattr(ytdlp, "extract_info", lambda *a, **k: pytest.fail("called"))
    [result] = YtDlpProvider().fetch_posts(
        [PostRef("youtube", "x", "https://evil.example.com/watch?v=x")]
    )
    assert "not an allow-listed host" in str(result.error)


def test_the_provider_lists_a_youtube_channels_videos_and_shorts_tabs(monkeypatch):
    asked = []

    def fake_extract(url, *, flat=False, limit=None):
        asked.append((url, flat, limit))
        return (
            info("ytdlp_youtube_tab_shorts_flat_entry.json")
            if url.endswith("/shorts")
            else {"entries": []}
        )

    monkeypatch.setattr(ytdlp, "extract_info", fake_extract)
    ref = ProfileRef("youtube", "coletdjnz", "https://www.youtube.com/@coletdjnz")
    posts = YtDlpProvider().list_recent_posts(ref, 5)
    assert [p.post_id for p in posts] == ["sSM9J5YH_60"]
    assert asked == [
        ("https://www.youtube.com/@coletdjnz/videos", True, 5),
        ("https://www.youtube.com/@coletdjnz/shorts", True, 5),
    ]


def test_the_provider_reads_a_youtube_channels_followers(monkeypatch):
    monkeypatch.setattr(
        ytdlp, "extract_info", lambda url, **k: info("ytdlp_youtube_tab_3blue1brown_about.json")
    )
    ref = ProfileRef("youtube", "3blue1brown", "https://www.youtube.com/@3blue1brown")
    assert YtDlpProvider().fetch_profile(ref).followers == 6000
