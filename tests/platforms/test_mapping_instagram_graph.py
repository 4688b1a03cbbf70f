"""Instagram Graph API answers (recorded samples) mapped into stats."""

from datetime import UTC, datetime

import pytest

from platforms.providers.base import NotFound, ProviderError, RateLimited
from platforms.providers.instagram_graph import (
    error_for,
    map_insights,
    map_media,
    map_profile,
    map_token_exchange,
    media_page,
)

from .conftest import load_sample


def test_business_discovery_maps_the_accounts_counts():
    profile = map_profile(load_sample("ig_graph_business_discovery_user_fields.json")["response"])
    assert (profile.username, profile.external_id) == ("facebookfordevelopers", "17841407673135339")
    assert (profile.followers, profile.media_count, profile.following) == (64976, 436, None)
    assert profile.full_name == "Facebook for Developers"
    assert profile.profile_pic_url.startswith("https://scontent-nrt1-1.xx.fbcdn.net/")


def test_the_docs_example_gives_followers_and_media_count_only():
    profile = map_profile(load_sample("ig_graph_business_discovery_docs_example.json")["response"])
    assert (profile.followers, profile.media_count, profile.biography) == (267793, 1205, None)


def test_our_own_users_fields_map_the_same_way():
    profile = map_profile(load_sample("ig_graph_own_user_fields.json")["response"])
    assert (profile.username, profile.followers, profile.media_count) == (
        "facebookfordevelopers",
        64363,
        427,
    )


def test_a_media_page_maps_images_with_likes_comments_and_no_views():
    items, after = media_page(
        load_sample("ig_graph_business_discovery_media_page1.json")["response"]
    )
    assert after == "after"
    first = map_media(items[0], username="FacebookForDevelopers")
    assert (first.post_id, first.username) == ("CSr71Gzlqo4", "facebookfordevelopers")
    assert (first.likes, first.comments, first.views, first.shares) == (87, 11, None, None)
    assert first.post_date == datetime(2021, 8, 17, 19, 0, 42, tzinfo=UTC)
    assert (first.base_format, first.content_type) == ("single_photo", "photo_single")
    assert first.url == "https://www.instagram.com/p/CSr71Gzlqo4/"


def test_a_carousel_album_is_a_carousel():
    stats = map_media(load_sample("ig_graph_own_media_carousel_with_children.json")["response"])
    assert (stats.post_id, stats.likes, stats.comments) == ("CRyZpmrjYC4", 1, 0)
    assert (stats.base_format, stats.content_type) == ("carousel", "carousel")


def test_a_reel_is_a_short_video():
    stats = map_media(
        {
            "media_type": "VIDEO",
            "media_product_type": "REELS",
            "permalink": "https://www.instagram.com/reel/Chunk8-jurw/",
        }
    )
    assert (stats.post_id, stats.base_format, stats.content_type) == (
        "Chunk8-jurw",
        "video",
        "video_short",
    )


def test_legacy_media_insights_map_to_their_lifetime_values():
    insights = map_insights(
        load_sample("ig_graph_media_insights_legacy_impressions_reach_saved.json")["response"]
    )
    assert insights == {"impressions": 8, "reach": 5, "saved": 0}


def test_new_media_insights_read_the_total_value():
    insights = map_insights(
        load_sample("ig_graph_media_insights_profile_activity.json")["response"]
    )
    assert insights == {"profile_activity": 11}


def test_a_long_lived_token_exchange_gives_the_token_and_its_expiry():
    now = datetime(2025, 1, 1, tzinfo=UTC)
    token, expires_at = map_token_exchange(
        load_sample("fb_long_lived_user_token_exchange_docs_example.json")["response"], now=now
    )
    assert token == "{long-lived-user-access-token}"
    assert expires_at == datetime(2025, 3, 1, 23, 59, 4, tzinfo=UTC)  # 5 183 944 s ≈ 60 days


def test_a_token_exchange_without_expiry_is_an_error():
    with pytest.raises(ProviderError):
        map_token_exchange({"access_token": "x"})


@pytest.mark.parametrize(
    ("code", "error_class"),
    [(4, RateLimited), (17, RateLimited), (803, NotFound), (190, ProviderError)],
)
def test_graph_error_codes_become_typed_errors(code, error_class):
    error = error_for(400, {"error": {"message": "m", "type": "OAuthException", "code": code}})
    assert type(error) is error_class
