"""Faults through the real job, clients and database: a lost answer after `media_publish`, a
worker dying after the commit marker, quota windows, a refused token, and a stopped publisher
seen by the sweep. The fakes count remote posts: never a duplicate."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from operations.jobs import publish_due_targets, sweep_missed_targets
from operations.models import JobRun
from operations.schedules import SCHEDULES
from platforms.publishers.errors import next_pacific_midnight
from publishing.choices import ConnectionStatus, TargetState
from publishing.services.platforms import InstagramSteps
from tests.platforms.publish_fakes import Fault
from tests.publishing.factories import PublishTargetFactory
from tests.publishing.publish_setup import due_target, fake_platforms, media_asset

pytestmark = pytest.mark.django_db

VIDEO = bytes(range(256)) * 4096


@pytest.fixture
def fakes(settings, tmp_path):
    yield from fake_platforms(settings, tmp_path)


class WorkerKilled(BaseException):
    """The process dies: nothing after it runs."""


def later(seconds: float = 1) -> timezone.datetime:
    return timezone.now() + timedelta(seconds=seconds)


def test_a_timeout_after_media_publish_is_reconciled_to_published_not_posted_again(fakes):
    graph = fakes["instagram"]
    graph.fail("publish", Fault(after_commit=True, late_s=2.0))
    target = due_target("instagram", media_asset(VIDEO))
    publish_due_targets()
    target.refresh_from_db()
    assert target.state == TargetState.AWAITING_REMOTE
    assert target.error_class == "ig_outcome_unknown"

    publish_due_targets(now=later())
    target.refresh_from_db()
    assert target.state == TargetState.PUBLISHED
    assert graph.count("publish") == 1 and len(graph.posts) == 1
    assert target.platform_post_id == graph.posts[0]["id"]
    assert target.published_url == f"https://www.instagram.com/p/C{target.platform_post_id}/"


def test_a_worker_dying_after_the_commit_marker_is_reconciled_when_its_lease_expires(
    fakes, monkeypatch
):
    graph = fakes["instagram"]
    commit = InstagramSteps.commit

    def commit_then_die(self, request, handle):
        commit(self, request, handle)
        raise WorkerKilled

    monkeypatch.setattr(InstagramSteps, "commit", commit_then_die)
    target = due_target("instagram", media_asset(VIDEO))
    with pytest.raises(WorkerKilled):
        publish_due_targets()
    monkeypatch.setattr(InstagramSteps, "commit", commit)
    target.refresh_from_db()
    assert target.state == TargetState.PUBLISHING and target.commit_started_at is not None

    publish_due_targets(now=later(60))  # the lease still holds: nobody touches it
    assert state_of(target) == TargetState.PUBLISHING

    publish_due_targets(now=later(settings.PUBLISH_LEASE_SECONDS + 1))
    target.refresh_from_db()
    assert target.state == TargetState.PUBLISHED
    assert target.platform_post_id == graph.posts[0]["id"]
    assert graph.count("publish") == 1 and len(graph.posts) == 1


def state_of(target) -> str:
    target.refresh_from_db(fields=["state"])
    return target.state


def test_a_youtube_quota_error_defers_the_target_to_midnight_pacific(fakes):
    youtube = fakes["youtube"]
    quota = {
        "error": {
            "code": 403,
            "message": "The request cannot be completed because you have exceeded your quota.",
            "errors": [{"reason": "quotaExceeded", "domain": "youtube.quota"}],
        }
    }
    youtube.fail("init", Fault(403, quota))
    target = due_target("youtube", media_asset(VIDEO))
    publish_due_targets()
    target.refresh_from_db()
    assert target.state == TargetState.DEFERRED
    assert target.error_class == "youtube_quotaExceeded"
    assert target.next_attempt_at == next_pacific_midnight(target.updated_at)
    assert youtube.posts == []

    publish_due_targets(now=target.next_attempt_at + timedelta(seconds=1))
    target.refresh_from_db()
    assert target.state == TargetState.PUBLISHED and len(youtube.posts) == 1


def test_an_instagram_account_at_its_daily_cap_is_deferred_before_any_container(fakes):
    graph = fakes["instagram"]
    graph.quota_total = 1
    graph.create_post(caption="posted earlier today")
    target = due_target("instagram", media_asset(VIDEO))
    publish_due_targets()
    target.refresh_from_db()
    assert target.state == TargetState.DEFERRED
    assert target.error_class == "ig_2207042"
    assert target.next_attempt_at > timezone.now() + timedelta(hours=23)
    assert graph.count("create") == 0 and len(graph.posts) == 1


def test_a_refused_token_puts_the_connection_in_needs_reauth_and_the_target_waits(fakes):
    graph = fakes["instagram"]
    target = due_target("instagram", media_asset(VIDEO), token="expired-token")
    publish_due_targets()
    target.refresh_from_db()
    target.connection.refresh_from_db()
    assert target.state == TargetState.NEEDS_REAUTH
    assert target.error_class == "ig_190_463"
    assert target.connection.status == ConnectionStatus.NEEDS_REAUTH
    assert graph.posts == []


def test_the_sweep_reports_targets_nobody_claimed_in_time(settings):
    settings.PUBLISH_MISSED_AFTER_MINUTES = 10
    now = timezone.now()
    PublishTargetFactory.create_batch(2, next_attempt_at=now - timedelta(minutes=30))
    PublishTargetFactory(next_attempt_at=now - timedelta(minutes=2))  # just due: not missed
    PublishTargetFactory(
        next_attempt_at=now - timedelta(hours=2), state=TargetState.PUBLISHED, published_at=now
    )
    run = JobRun.objects.get(pk=sweep_missed_targets(now=now))
    assert run.items_failed == 2 and run.status == "failed"
    assert "not claimed: is the publisher running?" in run.error
    assert JobRun.objects.get(pk=sweep_missed_targets(now=now)).items_failed == 2


def test_the_publishing_jobs_are_declared_with_the_others():
    assert SCHEDULES["publish_due_targets"]["minutes"] == 1
    assert SCHEDULES["sweep_missed_targets"]["func"] == "operations.jobs.sweep_missed_targets"


def test_a_lost_answer_to_tiktoks_last_chunk_is_settled_by_its_status(fakes):
    tiktok = fakes["tiktok"]
    video = bytes(range(256)) * 50_000
    target = due_target("tiktok", media_asset(video))
    original = tiktok.route

    def lose_the_last(call):
        operation, work = original(call)
        if operation == "chunk" and call.headers.get("content-range", "").endswith(
            f"{len(video) - 1}/{len(video)}"
        ):
            return "last_chunk", work
        return operation, work

    tiktok.route = lose_the_last
    tiktok.fail("last_chunk", Fault(after_commit=True, drop=True))
    publish_due_targets()
    target.refresh_from_db()
    assert target.state == TargetState.AWAITING_REMOTE

    publish_due_targets(now=later())
    target.refresh_from_db()
    assert target.state == TargetState.PUBLISHED
    assert target.platform_post_id == target.remote_handle["publish_id"]  # a private post
    assert tiktok.count("last_chunk") == 1 and len(tiktok.posts) == 1


def test_a_tiktok_post_that_fails_on_the_platform_takes_its_fail_reasons_outcome(fakes):
    tiktok = fakes["tiktok"]
    tiktok.fail_reason = "picture_size_check_failed"
    target = due_target("tiktok", media_asset(VIDEO))
    publish_due_targets()
    publish_due_targets(now=later())
    target.refresh_from_db()
    assert target.state == TargetState.FAILED
    assert target.error_class == "tiktok_picture_size_check_failed"
    assert tiktok.posts == [] and tiktok.count("init") == 1


def test_a_lost_answer_to_youtubes_last_chunk_is_settled_by_the_probe(fakes):
    youtube = fakes["youtube"]
    youtube.fail("final_chunk", Fault(after_commit=True, drop=True))
    target = due_target("youtube", media_asset(bytes(range(256)) * 2500))
    publish_due_targets()
    target.refresh_from_db()
    assert target.state == TargetState.AWAITING_REMOTE

    publish_due_targets(now=later())
    target.refresh_from_db()
    assert target.state == TargetState.PUBLISHED
    assert target.platform_post_id == youtube.posts[0]["id"]
    assert youtube.count("final_chunk") == 1 and youtube.count("probe") == 1
    assert len(youtube.posts) == 1
