"""A YouTube post added by a /shorts/ URL is a Short whatever its aspect ratio
(specs/platforms.md §3): the YouTube API has no shorts flag, so the fact is remembered at adding
time and kept through every refresh."""

import pytest
from django.utils import timezone

from operations.jobs import refresh_post_stats
from posts.choices import ContentType
from posts.models import Post
from posts.services.adding import post_add
from tests.platforms.test_youtube_api_provider import youtube_route

pytestmark = pytest.mark.django_db


def square_player_route(request):
    """The fake YouTube API, answering every video with a square player (480 x 480)."""
    reply = youtube_route(request)
    if request.path.endswith("/videos"):
        for item in reply.body["items"]:
            item["player"] = {"embedWidth": 480, "embedHeight": 480}
    return reply


@pytest.fixture
def youtube(fake_api, providers_settings):
    fake_api.route = square_player_route
    return fake_api


def test_a_square_video_added_by_a_shorts_url_stays_a_short_through_refreshes(youtube):
    post, _ = post_add(url="https://www.youtube.com/shorts/vid00000007")
    assert post.url == "https://www.youtube.com/watch?v=vid00000007"
    assert post.content_type == ContentType.VIDEO_SHORT  # known before any fetch

    now = timezone.now()
    refresh_post_stats(now=now)
    Post.objects.update(next_refresh_at=now)
    refresh_post_stats(now=now + timezone.timedelta(minutes=1))

    post.refresh_from_db()
    assert (post.width, post.height, post.views) == (480, 480, 70)
    assert post.content_type == ContentType.VIDEO_SHORT


def test_a_square_video_added_by_its_watch_url_is_long(youtube):
    post, _ = post_add(url="https://www.youtube.com/watch?v=vid00000007")

    refresh_post_stats(now=timezone.now())

    post.refresh_from_db()
    assert post.content_type == ContentType.VIDEO_LONG


def test_pasting_the_shorts_url_of_a_post_added_by_its_watch_url_makes_it_a_short(youtube):
    post_add(url="https://youtu.be/vid00000007")
    post, created = post_add(url="https://www.youtube.com/shorts/vid00000007?feature=share")

    refresh_post_stats(now=timezone.now())

    post.refresh_from_db()
    assert not created
    assert post.content_type == ContentType.VIDEO_SHORT
