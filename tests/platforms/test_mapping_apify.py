"""Apify scraper items and the platforms' own web shapes they pass through, mapped into stats.

Field names follow the samples: the tiktok-scraper convention (authorMeta, diggCount,
playCount), TikTok's web itemStruct (stats.playCount, author.uniqueId), Instagram's web
GraphQL nodes (GraphSidecar, edge_liked_by), Instagram's mobile API shape (HikerAPI) and
TikTok's official APIs (follower_count, video_count).
"""

from datetime import UTC, datetime

from platforms.providers.apify import (
    error_for,
    instagram_profile_posts,
    item_error,
    map_instagram_post,
    map_instagram_profile,
    map_tiktok_post,
    map_tiktok_profile,
)
from platforms.providers.base import NotFound, Private, QuotaExhausted

from .conftest import load_sample

APIFY_INSTAGRAM_REEL = {
    "id": "3776832898280228145",
    "type": "Video",
    "shortCode": "DRqAYKuAIUx",
    "caption": "Even the heaviest rain feels peaceful here.",
    "url": "https://www.instagram.com/p/DRqAYKuAIUx/",
    "commentsCount": 485,
    "dimensionsHeight": 1280,
    "dimensionsWidth": 720,
    "displayUrl": "https://scontent.cdninstagram.com/v/reel.jpg",
    "likesCount": 135430,
    "videoViewCount": 900000,
    "videoPlayCount": 2866120,
    "timestamp": "2025-11-29T22:00:31.000Z",
    "ownerUsername": "natgeo",
    "productType": "clips",
    "videoDuration": 22.314,
}


def test_an_apify_instagram_reel_counts_plays_as_views():
    stats = map_instagram_post(APIFY_INSTAGRAM_REEL)
    assert (stats.post_id, stats.username) == ("DRqAYKuAIUx", "natgeo")
    assert (stats.views, stats.likes, stats.comments, stats.shares) == (2866120, 135430, 485, None)
    assert stats.post_date == datetime(2025, 11, 29, 22, 0, 31, tzinfo=UTC)
    assert (stats.base_format, stats.content_type) == ("video", "video_short")


def test_hidden_instagram_likes_are_none_not_minus_one():
    stats = map_instagram_post({**APIFY_INSTAGRAM_REEL, "likesCount": -1})
    assert stats.likes is None


def test_instagrams_mobile_api_shape_maps_like_a_scraper_item():
    media = load_sample("hikerapi_instagram_media_by_code_natgeo_reel_partial.json")[
        "response_partial"
    ]
    stats = map_instagram_post(media)
    assert (stats.post_id, stats.username) == ("DRqAYKuAIUx", "natgeo")
    assert (stats.likes, stats.comments, stats.duration_s) == (135430, 485, 22.31399917602539)
    assert (stats.width, stats.height, stats.content_type) == (720, 1280, "video_short")
    assert stats.post_date == datetime(2025, 11, 29, 22, 0, 31, tzinfo=UTC)
    assert stats.views == 2866120  # plays, not the zero "view_count"


def test_instagrams_mobile_api_profile_maps_its_counts():
    user = load_sample("hikerapi_instagram_user_by_id_natgeo.json")["response"]
    profile = map_instagram_profile(user)
    assert (profile.username, profile.external_id) == ("natgeo", "787132")
    assert (profile.followers, profile.following, profile.media_count) == (274988955, 193, 31529)
    assert (profile.is_verified, profile.is_private) == (True, False)


def test_instagrams_web_profile_shape_maps_counts_and_a_sidecar_post():
    user = load_sample("instagram_web_profile_info_shape_partial.json")["response_partial"]["data"][
        "user"
    ]
    profile = map_instagram_profile(user)
    assert (profile.username, profile.followers, profile.following, profile.media_count) == (
        "the_holy_crusader",
        171,
        567,
        29,
    )
    [post] = instagram_profile_posts(user)
    assert (post.post_id, post.username, post.likes, post.comments) == (
        "CpvsbyVM5NO",
        "the_holy_crusader",
        26,
        0,
    )
    assert (post.base_format, post.content_type, post.views) == ("carousel", "carousel", None)
    assert post.post_date == datetime.fromtimestamp(1678745112, tz=UTC)
    assert post.caption.startswith("Rocking pumpkin")


def test_an_apify_instagram_profile_item_maps_and_carries_its_latest_posts():
    item = {
        "id": "787132",
        "username": "NatGeo",
        "fullName": "National Geographic",
        "biography": "Step into wonder",
        "followersCount": 274988955,
        "followsCount": 193,
        "postsCount": 31529,
        "verified": True,
        "private": False,
        "profilePicUrlHD": "https://scontent.cdninstagram.com/hd.jpg",
        "latestPosts": [
            APIFY_INSTAGRAM_REEL,
            {"type": "Image", "shortCode": "Cimg", "likesCount": 5},
        ],
    }
    profile = map_instagram_profile(item)
    assert (profile.username, profile.followers, profile.media_count) == (
        "natgeo",
        274988955,
        31529,
    )
    assert profile.profile_pic_url == "https://scontent.cdninstagram.com/hd.jpg"
    posts = instagram_profile_posts(item)
    assert [(p.post_id, p.base_format, p.content_type) for p in posts] == [
        ("DRqAYKuAIUx", "video", "video_short"),
        ("Cimg", "single_photo", "photo_single"),
    ]


def test_a_tiktok_scraper_item_maps_counts_author_and_followers():
    post = load_sample("tiktok_scraper_style_post_kierapleaze_2020.json")["post_partial"]
    stats = map_tiktok_post(post)
    assert (stats.post_id, stats.username) == ("6886892080350629125", "kierapleaze")
    assert (stats.views, stats.likes, stats.comments, stats.shares) == (185100, 80600, 1334, 715)
    assert stats.followers == 470700
    assert stats.post_date == datetime.fromtimestamp(1603479563, tz=UTC)
    assert stats.url == "https://www.tiktok.com/@kierapleaze/video/6886892080350629125"
    assert (stats.width, stats.height, stats.duration_s) == (576, 1024, 15)
    assert (stats.base_format, stats.content_type) == ("video", "video_short")


def test_a_tiktok_iso_creation_time_is_preferred():
    post = load_sample("tiktok_scraper_style_post_kierapleaze_2020.json")["post_partial"]
    stats = map_tiktok_post({**post, "createTimeISO": "2020-10-23T18:59:23.000Z"})
    assert stats.post_date == datetime(2020, 10, 23, 18, 59, 23, tzinfo=UTC)


def test_a_tiktok_slideshow_is_a_carousel():
    post = load_sample("tiktok_scraper_style_post_kierapleaze_2020.json")["post_partial"]
    assert map_tiktok_post({**post, "isSlideshow": True}).base_format == "carousel"


def test_tiktoks_web_item_shape_maps_the_stats_block():
    item = load_sample("tiktok_web_item_partial_emojibattery.json")["item_partial"]
    stats = map_tiktok_post(item)
    assert (stats.post_id, stats.username) == ("7496800151642721543", "emojibattery")
    assert (stats.views, stats.likes, stats.comments, stats.shares) == (626000, 2192, 68, 79)
    assert stats.post_date is None  # the sample has no createTime
    assert stats.url == "https://www.tiktok.com/@emojibattery/video/7496800151642721543"
    assert stats.content_type == "video_short"


def test_a_tiktok_author_meta_maps_to_a_profile():
    post = load_sample("tiktok_scraper_style_post_kierapleaze_2020.json")["post_partial"]
    profile = map_tiktok_profile(post["authorMeta"])
    assert (profile.username, profile.full_name) == ("kierapleaze", "Kiera Please")
    assert (profile.followers, profile.following, profile.media_count) == (470700, 44, 113)
    assert profile.is_private is False


def test_a_tiktok_web_user_and_its_stats_block_map_to_a_profile():
    sample = load_sample("tiktok_scraper_style_post_kierapleaze_2020.json")["user_partial"]
    profile = map_tiktok_profile(sample["user"], sample["stats"])
    assert (profile.username, profile.external_id) == ("kierapleaze", "6619407237554651142")
    assert (profile.followers, profile.following, profile.media_count) == (470700, 44, 113)


def test_a_stats_block_alone_still_gives_the_counts():
    stats = load_sample("ensembledata_tiktok_user_stats_partial.json")["response_partial"]["stats"]
    profile = map_tiktok_profile({}, stats)
    assert (profile.followers, profile.following, profile.media_count) == (26357770, 214, 629)


def test_tiktoks_official_api_field_names_map_too():
    research = load_sample("tiktok_research_api_user_info_partial.json")["response_partial"]["data"]
    profile = map_tiktok_profile(research)
    assert (profile.media_count, profile.biography, profile.is_verified) == (44, "my_bio", False)
    assert profile.followers is None  # not in the excerpt: unknown, not zero
    display = load_sample("tiktok_display_api_user_info_basic.json")["response"]["data"]["user"]
    profile = map_tiktok_profile(display)
    assert profile.external_id == "723f24d7-e717-40f8-a2b6-cb8464cd23b4"
    assert profile.profile_pic_url.startswith("https://p19-sign.tiktokcdn-us.com/")
    assert profile.followers is None
    [video] = load_sample("tiktok_display_api_video_list.json")["response"]["data"]["videos"]
    stats = map_tiktok_post(video)
    assert (stats.post_id, stats.views, stats.likes) == ("12345123451234512345", None, None)


def test_actor_error_items_are_typed():
    assert isinstance(
        item_error({"url": "u", "error": "not_found", "errorDescription": "Page not found"}),
        NotFound,
    )
    assert isinstance(
        item_error({"error": "private", "errorDescription": "Profile is private"}), Private
    )
    assert item_error(APIFY_INSTAGRAM_REEL) is None


def test_a_402_from_apify_means_the_usage_is_exhausted():
    payload = {
        "error": {
            "type": "platform-usage-limit-reached",
            "message": "Monthly usage hard limit exceeded",
        }
    }
    assert isinstance(error_for(402, payload), QuotaExhausted)
