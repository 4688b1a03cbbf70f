"""The publishers' shared rate limits (specs/publishing.md §4) through the real job, clients and
database against the fakes: per-token TikTok buckets, YouTube's uploads a day, Meta's usage
headers and Retry-After. A full bucket reschedules the target (deferred, never failed), and two
workers at once never spend more than the bucket holds."""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection as db_connection
from django.utils import timezone

from core.models import ProviderState
from operations.jobs import publish_due_targets
from platforms.publishers.errors import Throttled
from platforms.publishers.tiktok import TikTokPublisher, chunk_plan
from platforms.ratelimit import next_quota_reset, provider_states
from publishing.choices import TargetState
from publishing.services.limits import publish_limiter
from tests.platforms.publish_fakes import TOKEN, Fault
from tests.publishing.factories import PublishTargetFactory, ScheduledPostFactory
from tests.publishing.publish_setup import due_target, fake_platforms, media_asset

pytestmark = pytest.mark.django_db

VIDEO = bytes(range(256)) * 4096
USAGE_95 = '{"call_count": 95, "total_cputime": 12, "total_time": 20}'


@pytest.fixture
def fakes(settings, tmp_path):
    yield from fake_platforms(settings, tmp_path)


def more_targets(first, count: int):
    """`count` more due targets on the same connection as `first`, with the same media."""
    targets = [first]
    for n in range(count):
        post = ScheduledPostFactory(
            scheduled_at=first.post.scheduled_at, caption=f"Post {n}", hashtags=[]
        )
        for item in first.post.media_items.all():
            post.media_items.create(asset=item.asset, position=item.position)
        targets.append(
            PublishTargetFactory(post=post, connection=first.connection, options=first.options)
        )
    return targets


def states(targets) -> list[str]:
    for target in targets:
        target.refresh_from_db()
    return sorted(target.state for target in targets)


def test_a_full_tiktok_init_bucket_defers_the_rest_until_the_window_reopens(fakes, settings):
    settings.PUBLISH_RATE_LIMITS = {"tiktok.init": {"calls": 2, "window_s": 2}}
    tiktok = fakes["tiktok"]
    targets = more_targets(due_target("tiktok", media_asset(VIDEO)), 3)

    publish_due_targets()
    assert states(targets) == [TargetState.DEFERRED] * 2 + [TargetState.PUBLISHED] * 2
    assert tiktok.count("init") == 2
    waiting = [t for t in targets if t.state == TargetState.DEFERRED]
    for target in waiting:
        assert target.error_class == "tiktok_rate_limited"
        assert target.retries == 0  # a full bucket is not a failed try
        assert timezone.now() < target.next_attempt_at <= timezone.now() + timedelta(seconds=3)

    time.sleep(2.1)
    publish_due_targets(now=timezone.now() + timedelta(seconds=3))
    assert states(targets) == [TargetState.PUBLISHED] * 4
    assert tiktok.count("init") == 4 and len(tiktok.posts) == 4


def test_each_tiktok_token_has_its_own_bucket(fakes, settings):
    settings.PUBLISH_RATE_LIMITS = {"tiktok.init": {"calls": 1, "window_s": 60}}
    first = due_target("tiktok", media_asset(VIDEO))
    second = due_target("tiktok", first.post.media_items.get().asset)
    publish_due_targets()
    assert states([first, second]) == [TargetState.PUBLISHED] * 2


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_never_spend_more_than_the_bucket_holds(fakes, settings):
    settings.PUBLISH_RATE_LIMITS = {"tiktok.init": {"calls": 6, "window_s": 60}}
    tiktok = fakes["tiktok"]
    target = due_target("tiktok", media_asset(VIDEO))
    plan = chunk_plan(len(VIDEO))
    sent, refused = [], []

    def worker():
        try:
            client = TikTokPublisher(
                tiktok.url,
                TOKEN,
                limiter=publish_limiter("tiktok", connection_id=target.connection_id),
            )
            for _ in range(10):
                try:
                    client.init_video_upload({"title": "x", "privacy_level": "SELF_ONLY"}, plan)
                    sent.append(1)
                except Throttled:
                    refused.append(1)
        finally:
            db_connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert tiktok.count("init") == 6 == len(sent)
    assert len(refused) == 14


def test_youtube_uploads_past_the_daily_quota_wait_for_midnight_pacific(fakes, settings):
    settings.PUBLISH_RATE_LIMITS = {"youtube.uploads": {"daily_quota": 1}}
    youtube = fakes["youtube"]
    targets = more_targets(due_target("youtube", media_asset(VIDEO)), 1)
    publish_due_targets()
    assert states(targets) == [TargetState.DEFERRED, TargetState.PUBLISHED]
    assert youtube.count("init") == 1
    deferred = next(t for t in targets if t.state == TargetState.DEFERRED)
    assert abs(deferred.next_attempt_at - next_quota_reset()) < timedelta(seconds=5)
    assert deferred.commit_started_at is None


def test_instagram_usage_at_90_percent_pauses_the_app_for_every_account(fakes):
    graph = fakes["instagram"]
    graph.headers["limit"] = {"X-App-Usage": USAGE_95}
    first = due_target("instagram", media_asset(VIDEO))
    second = due_target("instagram", first.post.media_items.get().asset)
    publish_due_targets()
    assert states([first, second]) == [TargetState.DEFERRED] * 2
    assert graph.count("create") == 0 and graph.count("limit") == 1
    for target in (first, second):
        assert target.next_attempt_at > timezone.now() + timedelta(minutes=59)
    row = ProviderState.objects.get(provider="publish.instagram.app")
    assert row.paused_until > timezone.now() + timedelta(minutes=59)
    # The publishers' buckets are not listed among the stats providers.
    assert all(not s["provider"].startswith("publish.") for s in provider_states())


def test_a_pause_that_starts_just_before_media_publish_reschedules_without_a_post(fakes):
    graph = fakes["instagram"]
    graph.headers["status"] = {"X-App-Usage": USAGE_95}
    target = due_target("instagram", media_asset(VIDEO))
    publish_due_targets()
    target.refresh_from_db()
    assert target.state == TargetState.DEFERRED
    assert target.commit_started_at is None  # the commit call never left: nothing to reconcile
    assert graph.count("publish") == 0 and graph.posts == []
    assert target.remote_handle["container_id"]  # the container is kept for the next try


def test_a_429_with_retry_after_pauses_the_token_for_every_target(fakes):
    tiktok = fakes["tiktok"]
    tiktok.fail("init", Fault(status=429, headers={"Retry-After": "120"}))
    targets = more_targets(due_target("tiktok", media_asset(VIDEO)), 1)
    publish_due_targets()
    assert tiktok.count("init") == 1  # the second target did not knock again
    for target in targets:
        target.refresh_from_db()
        assert target.state in (TargetState.SCHEDULED, TargetState.DEFERRED)
        assert target.next_attempt_at >= timezone.now() + timedelta(seconds=110)
