"""YouTube Data API answers (recorded samples) mapped into stats."""

from datetime import UTC, datetime

from platforms.providers.base import NotFound, PostRef, ProviderError, QuotaExhausted
from platforms.providers.youtube_api import (
    error_for,
    map_channel,
    map_video,
    playlist_video_ids,
    uploads_playlist,
)

from .conftest import load_sample


def _item(name, index=0):
    return load_sample(name)["response"]["items"][index]


def test_a_video_maps_string_counts_to_ints_and_its_date_to_utc():
    item = _item("youtube_api_videos_list_snippet_contentDetails_status_statistics.json")
    stats = map_video(item)
    assert (stats.post_id, stats.views, stats.likes, stats.comments) == (
        "D-lhorsDlUQ",
        7920,
        190,
        32,
    )
    assert stats.shares is None  # the API has no share count
    assert stats.post_date == datetime(2019, 3, 21, 20, 37, 49, tzinfo=UTC)
    assert stats.duration_s == 21 * 60 + 7
    assert stats.caption == "What are Actions on Google (Assistant on Air)"
    assert stats.thumbnail_url == "https://i.ytimg.com/vi/D-lhorsDlUQ/maxresdefault.jpg"
    assert stats.url == "https://www.youtube.com/watch?v=D-lhorsDlUQ"
    assert stats.base_format == "video"
    assert stats.content_type is None  # no dimensions, no /shorts/ URL: unknown, not guessed
    assert stats.source == "youtube_api"


def test_a_video_without_statistics_has_no_counters_rather_than_zeros():
    stats = map_video(_item("youtube_api_videos_list_snippet_player.json"))
    assert (stats.views, stats.likes, stats.comments, stats.shares) == (None, None, None, None)
    assert stats.post_date == datetime(2019, 3, 21, 20, 37, 49, tzinfo=UTC)


def test_a_video_pasted_as_a_shorts_url_is_a_short():
    item = _item("youtube_api_videos_list_snippet_player.json")
    ref = PostRef(
        "youtube", "D-lhorsDlUQ", "https://www.youtube.com/watch?v=D-lhorsDlUQ", is_short=True
    )
    assert map_video(item, ref=ref).content_type == "video_short"


def test_the_players_aspect_ratio_tells_vertical_from_horizontal():
    item = _item("youtube_api_videos_list_snippet_player.json")
    item["player"].update(embedWidth="405", embedHeight="720")
    assert (map_video(item).width, map_video(item).content_type) == (405, "video_short")
    item["player"].update(embedWidth="1280", embedHeight="720")
    assert map_video(item).content_type == "video_long"


def test_a_channel_maps_its_handle_subscribers_and_video_count():
    profile = map_channel(_item("youtube_api_channels_list_snippet_statistics.json"))
    assert profile.username == "googledevelopers"
    assert profile.external_id == "UC_x5XG1OV2P6uZZ5FSM9Ttw"
    assert (profile.followers, profile.media_count, profile.following) == (1927873, 5026, None)
    assert profile.full_name == "Google Developers"
    assert profile.profile_pic_url.startswith("https://yt3.ggpht.com/")


def test_a_hidden_subscriber_count_is_none():
    item = _item("youtube_api_channels_list_snippet_statistics.json")
    item["statistics"]["hiddenSubscriberCount"] = True
    assert map_channel(item).followers is None


def test_the_uploads_playlist_comes_from_content_details():
    sample = "youtube_api_channels_list_contentDetails_uploads_multi.json"
    assert uploads_playlist(_item(sample, 0)) == "UUK8sQmJBp8GCxrOtXWBpyEA"
    assert map_channel(_item(sample, 0)).followers == 10700000
    assert uploads_playlist({"id": "UCabc"}) == "UUabc"


def test_a_playlist_page_lists_its_video_ids_in_order():
    ids = playlist_video_ids(load_sample("youtube_api_playlistItems_list_page1.json")["response"])
    assert len(ids) == 10
    assert ids[0] == "CvTApw9X8aA"
    assert ids[-1] == "o5LP2xzKkpg"


def test_an_invalid_key_is_a_provider_error_that_says_so():
    error = error_for(400, load_sample("youtube_api_error_keyInvalid.json")["response"])
    assert type(error) is ProviderError
    assert "keyInvalid" in str(error)


def test_a_permission_error_is_a_provider_error_with_the_apis_message():
    error = error_for(403, load_sample("youtube_api_error_permission.json")["response"])
    assert type(error) is ProviderError
    assert "The caller does not have permission" in str(error)


def test_quota_exceeded_is_quota_exhausted_until_the_pacific_midnight_reset():
    payload = {"error": {"code": 403, "message": "quota", "errors": [{"reason": "quotaExceeded"}]}}
    error = error_for(403, payload)
    assert isinstance(error, QuotaExhausted)
    assert 0 < error.retry_after <= 25 * 3600


def test_a_missing_channel_is_not_found():
    payload = {"error": {"code": 404, "errors": [{"reason": "channelNotFound"}]}}
    assert isinstance(error_for(404, payload), NotFound)
