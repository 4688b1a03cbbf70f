"""New-post detection on tracked accounts, and the new-post feed."""

from datetime import UTC, datetime, timedelta

import pytest

from creators.models import Account
from creators.services.tracking import PRIVATE_REASON, account_detect_new_posts_due
from operations import jobs
from operations.models import JobRun
from platforms.providers.base import PostRef, Private, TemporaryError
from posts.choices import ProcessingStatus
from posts.models import Post, PostSnapshot
from tests.creators.factories import AccountFactory
from tests.operations import fakes
from tests.posts.factories import PostFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 18, 12, 0, tzinfo=UTC)
FEED = "/api/v1/posts/?detected=true&ordering=-detected_at"


@pytest.fixture
def fake(settings, monkeypatch):
    return fakes.install(settings, monkeypatch)


def ref(post_id: str) -> PostRef:
    return PostRef(
        platform="instagram", post_id=post_id, url=f"https://www.instagram.com/reel/{post_id}/"
    )


def test_new_posts_are_created_once_and_appear_in_the_detected_feed(fake, api):
    account = AccountFactory(username="alice")
    PostFactory(post_id="OLD1", username="alice", account=account)
    fake.recent["alice"] = [ref("NEW1"), ref("NEW2"), ref("OLD1")]

    first = account_detect_new_posts_due(now=NOW)
    second = account_detect_new_posts_due(now=NOW + timedelta(hours=1))

    assert (first.created, second.created) == (2, 0)
    new = Post.objects.filter(post_id__in=["NEW1", "NEW2"])
    assert new.count() == 2
    for post in new:
        assert post.account == account
        assert post.username == "alice"
        assert post.processing_status == ProcessingStatus.PENDING
        assert post.detected_at == NOW
        assert post.url == f"https://www.instagram.com/p/{post.post_id}/"
    assert Post.objects.get(post_id="OLD1").detected_at is None
    account.refresh_from_db()
    assert account.last_tracked_at == NOW + timedelta(hours=1)

    body = api.get(FEED).json()
    assert {row["post_id"] for row in body["results"]} == {"NEW1", "NEW2"}
    assert all(row["detected_at"] for row in body["results"])


def test_the_feed_lists_the_newest_detections_first_and_filters_by_detection_time(api):
    PostFactory(post_id="EARLY", detected_at=NOW - timedelta(days=2))
    PostFactory(post_id="LATE", detected_at=NOW)
    PostFactory(post_id="ADDED")

    ids = [row["post_id"] for row in api.get(FEED).json()["results"]]
    recent = api.get(
        "/api/v1/posts/",
        {"detected": "true", "detected_at_after": (NOW - timedelta(days=1)).isoformat()},
    )
    not_detected = api.get("/api/v1/posts/?detected=false").json()["results"]

    assert ids == ["LATE", "EARLY"]
    assert [row["post_id"] for row in recent.json()["results"]] == ["LATE"]
    assert [row["post_id"] for row in not_detected] == ["ADDED"]


def test_a_listing_with_stats_writes_the_first_snapshot_and_current_fields(fake):
    AccountFactory(username="alice")
    fake.recent["alice"] = [
        fakes.post_stats(
            "NEW1", views=50, likes=5, caption="First", post_date=NOW - timedelta(hours=2)
        )
    ]

    account_detect_new_posts_due(now=NOW)

    post = Post.objects.get(post_id="NEW1")
    assert (post.views, post.likes, post.caption) == (50, 5, "First")
    assert post.last_updated == NOW
    assert post.next_refresh_at == NOW + timedelta(hours=1)
    snapshot = PostSnapshot.objects.get(post=post)
    assert (snapshot.captured_at, snapshot.views) == (NOW, 50)


def test_a_post_already_tracked_without_an_account_is_linked_not_duplicated(fake):
    account = AccountFactory(username="alice")
    post = PostFactory(post_id="SEEN", account=None)
    fake.recent["alice"] = [ref("SEEN")]

    report = account_detect_new_posts_due(now=NOW)

    post.refresh_from_db()
    assert report.created == 0
    assert post.account == account
    assert post.detected_at is None
    assert Post.objects.count() == 1


def test_new_posts_without_stats_are_due_for_their_first_refresh(fake):
    AccountFactory(username="alice")
    fake.recent["alice"] = [ref("NEW1")]

    account_detect_new_posts_due(now=NOW)

    assert Post.objects.get(post_id="NEW1").next_refresh_at is None


def test_untracked_accounts_are_not_looked_at(fake):
    AccountFactory(username="off", tracking_enabled=False, disabled_reason="Paused")

    account_detect_new_posts_due(now=NOW)

    assert fake.calls == []


def test_an_account_looked_at_a_moment_ago_is_not_asked_again(fake):
    AccountFactory(username="alice", last_tracked_at=NOW - timedelta(minutes=5))
    fake.recent["alice"] = [ref("NEW1")]

    account_detect_new_posts_due(now=NOW)

    assert fake.calls == []


def test_a_private_account_found_by_detection_stops_being_tracked(fake):
    account = AccountFactory(username="alice")
    fake.recent["alice"] = Private("private")

    account_detect_new_posts_due(now=NOW)

    account.refresh_from_db()
    assert (account.tracking_enabled, account.disabled_reason) == (False, PRIVATE_REASON)


def test_a_failed_detection_backs_off_and_is_recorded_in_the_job_run(fake):
    AccountFactory(username="alice")
    AccountFactory(username="bob")
    fake.recent["alice"] = TemporaryError("503")
    fake.recent["bob"] = [ref("NEW1")]

    run = JobRun.objects.get(pk=jobs.detect_new_posts(now=NOW))

    alice = Account.objects.get(username="alice")
    assert (run.items_ok, run.items_failed) == (1, 1)
    assert alice.detect_failures == 1
    assert alice.next_detect_at == NOW + timedelta(minutes=5)
    assert alice.last_tracked_at is None
