"""The refresh job end to end: the real job, chain, YouTube provider, HTTP client and shared
rate limiter against a fake YouTube API on 127.0.0.1."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.models import ProviderState
from operations.jobs import refresh_post_stats
from operations.models import JobRun
from posts.models import Post, PostSnapshot
from posts.services.adding import post_bulk_add
from tests.platforms.conftest import Reply
from tests.platforms.test_youtube_api_provider import youtube_route

pytestmark = pytest.mark.django_db


@pytest.fixture
def youtube(fake_api, providers_settings):
    fake_api.route = youtube_route
    return fake_api


def add_videos(count: int) -> None:
    post_bulk_add(urls=[f"https://www.youtube.com/watch?v=vid{n:08d}" for n in range(count)])


def test_one_pass_over_120_videos_makes_3_calls_and_120_snapshots_and_a_rerun_adds_none(youtube):
    add_videos(120)
    now = timezone.now()

    refresh_post_stats(now=now)

    assert len(youtube.calls("/videos")) == 3
    assert PostSnapshot.objects.filter(captured_at=now).count() == 120
    post = Post.objects.get(post_id="vid00000042")
    assert post.views == 420 and post.last_updated == now
    assert JobRun.objects.get(job="refresh_post_stats").items_ok == 120

    Post.objects.update(next_refresh_at=now)  # due again at the very same moment
    refresh_post_stats(now=now)
    assert PostSnapshot.objects.count() == 120


def test_a_429_pauses_the_provider_and_the_posts_wait_unchanged_then_refresh(youtube):
    add_videos(3)
    youtube.scripted.append(Reply(429, {"error": "slow down"}, {"Retry-After": "120"}))
    now = timezone.now()

    refresh_post_stats(now=now)

    assert PostSnapshot.objects.count() == 0
    assert set(Post.objects.values_list("views", flat=True)) == {None}
    calls_after_429 = len(youtube.requests)
    refresh_post_stats(now=now + timedelta(seconds=60))  # still paused: nobody calls YouTube
    assert len(youtube.requests) == calls_after_429
    assert PostSnapshot.objects.count() == 0

    # The posts wait for the pause, then 121 s pass (the limiter runs on the real clock).
    assert all(p.next_refresh_at >= now + timedelta(seconds=120) for p in Post.objects.all())
    ProviderState.objects.filter(provider="youtube_api").update(
        paused_until=timezone.now() - timedelta(seconds=1)
    )
    refresh_post_stats(now=now + timedelta(seconds=121))
    assert PostSnapshot.objects.count() == 3
    assert set(Post.objects.values_list("views", flat=True)) == {0, 10, 20}
