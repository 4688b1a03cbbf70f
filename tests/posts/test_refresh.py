"""Refreshing post stats: due posts, claims, snapshots, backoff, deleted posts, cadence."""

from datetime import UTC, datetime, timedelta

import pytest

from operations.demo import NEVER
from platforms.providers.base import NotFound, QuotaExhausted, RateLimited, TemporaryError
from posts.choices import BaseFormat, TrialStatus
from posts.models import Post, PostSnapshot
from posts.services.refresh import (
    post_refresh_batch,
    post_refresh_due,
    post_refresh_interval,
    posts_claim_due,
)
from posts.tasks import refresh_posts
from tests.creators.factories import AccountFactory
from tests.operations import fakes
from tests.posts.factories import PostFactory, PostSnapshotFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 18, 12, 0, tzinfo=UTC)


@pytest.fixture
def fake(settings, monkeypatch):
    settings.REFRESH_MAX_FAILURES = 3
    settings.REFRESH_BACKOFF_SECONDS = 300
    settings.REFRESH_CLAIM_TTL_SECONDS = 600
    return fakes.install(settings, monkeypatch)


def test_a_due_post_gets_a_snapshot_and_its_current_numbers(fake):
    post = PostFactory(post_id="AAA", post_date=NOW - timedelta(days=2))
    fake.posts["AAA"] = fakes.post_stats(
        "AAA", views=5000, likes=400, comments=30, caption="Hello", base_format=BaseFormat.VIDEO
    )

    report = post_refresh_due(now=NOW)

    post.refresh_from_db()
    assert (report.ok, report.failed) == (1, 0)
    assert (post.views, post.likes, post.comments, post.shares) == (5000, 400, 30, None)
    assert post.caption == "Hello"
    assert post.base_format == BaseFormat.VIDEO
    assert post.last_updated == NOW
    assert post.refresh_claimed_until is None
    assert post.next_refresh_at == NOW + timedelta(hours=6)  # 2 days old
    snapshot = PostSnapshot.objects.get(post=post)
    assert (snapshot.captured_at, snapshot.views, snapshot.source) == (NOW, 5000, "fake")


def test_running_a_pass_twice_at_the_same_moment_writes_no_duplicate_snapshot(fake):
    posts = PostFactory.create_batch(3)
    for post in posts:
        fake.posts[post.post_id] = fakes.post_stats(post.post_id)

    post_refresh_due(now=NOW)
    post_refresh_due(now=NOW)
    Post.objects.update(next_refresh_at=None)  # due again, still at the same moment
    post_refresh_due(now=NOW)

    assert PostSnapshot.objects.count() == 3


def test_applying_the_same_answer_twice_at_the_same_moment_keeps_one_snapshot(fake):
    post = PostFactory(post_id="AAA")
    fake.posts["AAA"] = fakes.post_stats("AAA")

    post_refresh_batch(posts=[post], now=NOW)
    post_refresh_batch(posts=[Post.objects.get(pk=post.pk)], now=NOW)

    assert PostSnapshot.objects.filter(post=post).count() == 1


def test_posts_not_due_demo_posts_and_deleted_posts_are_not_refreshed(fake):
    due = PostFactory(next_refresh_at=NOW - timedelta(minutes=1))
    PostFactory(next_refresh_at=NOW + timedelta(minutes=1))
    PostFactory(extra={"demo": True}, next_refresh_at=NEVER)  # as operations.demo creates it
    PostFactory(deleted_at=NOW - timedelta(days=1))
    never = PostFactory(extra={"demo": False})
    for post in Post.objects.all():
        fake.posts[post.post_id] = fakes.post_stats(post.post_id)

    post_refresh_due(now=NOW)

    assert set(PostSnapshot.objects.values_list("post_id", flat=True)) == {due.pk, never.pk}


def test_a_claimed_batch_that_never_finished_is_taken_again_after_the_claim_expires_not_before(
    fake,
):
    post = PostFactory(post_id="AAA")
    fake.posts["AAA"] = fakes.post_stats("AAA")
    claimed = posts_claim_due(now=NOW, limit=10)  # ... and the worker dies
    assert [p.pk for p in claimed] == [post.pk]

    assert posts_claim_due(now=NOW + timedelta(seconds=599), limit=10) == []
    post_refresh_due(now=NOW + timedelta(seconds=599))
    assert not PostSnapshot.objects.exists()

    post_refresh_due(now=NOW + timedelta(seconds=600))
    assert PostSnapshot.objects.filter(post=post).count() == 1


def test_two_claims_at_the_same_moment_never_share_a_post(fake):
    PostFactory.create_batch(5)

    first = posts_claim_due(now=NOW, limit=3)
    second = posts_claim_due(now=NOW, limit=3)

    assert len(first) == 3
    assert len(second) == 2
    assert not {p.pk for p in first} & {p.pk for p in second}


def test_never_refreshed_posts_are_claimed_first_then_the_longest_overdue(fake):
    late = PostFactory(next_refresh_at=NOW - timedelta(hours=1))
    later = PostFactory(next_refresh_at=NOW - timedelta(hours=3))
    new = PostFactory(next_refresh_at=None)

    claimed = posts_claim_due(now=NOW, limit=2)

    assert [p.pk for p in claimed] == sorted([new.pk, later.pk])
    assert late.pk not in {p.pk for p in claimed}


def test_a_rate_limited_post_keeps_its_numbers_and_is_due_again_after_retry_after(fake):
    post = PostFactory(post_id="AAA", views=700, likes=70)
    PostSnapshotFactory(post=post, captured_at=NOW - timedelta(days=1), views=700)
    fake.posts["AAA"] = RateLimited(retry_after=120)

    report = post_refresh_due(now=NOW)

    post.refresh_from_db()
    assert (report.ok, report.failed) == (0, 1)
    assert (post.views, post.likes) == (700, 70)
    assert PostSnapshot.objects.filter(post=post).count() == 1
    assert post.refresh_failures == 1
    assert post.next_refresh_at == NOW + timedelta(seconds=120)
    assert post.refresh_claimed_until is None
    assert posts_claim_due(now=NOW + timedelta(seconds=119), limit=10) == []

    fake.posts["AAA"] = fakes.post_stats("AAA", views=900)
    post_refresh_due(now=NOW + timedelta(seconds=120))

    post.refresh_from_db()
    assert post.views == 900
    assert post.refresh_failures == 0


def test_a_transient_error_backs_off_exponentially(fake):
    post = PostFactory(post_id="AAA")
    fake.posts["AAA"] = TemporaryError("503")

    post_refresh_due(now=NOW)
    post.refresh_from_db()
    assert post.next_refresh_at == NOW + timedelta(minutes=5)

    later = post.next_refresh_at
    post_refresh_due(now=later)
    post.refresh_from_db()
    assert post.next_refresh_at == later + timedelta(minutes=10)
    assert post.refresh_failures == 2


def test_a_platform_whose_answers_are_all_rate_limits_is_left_alone_for_the_rest_of_the_pass(
    fake,
):
    for index in range(4):
        PostFactory(post_id=f"IG{index}")
        fake.posts[f"IG{index}"] = QuotaExhausted(retry_after=3600)

    post_refresh_due(now=NOW, batch_size=2)

    assert [call[0] for call in fake.calls] == ["posts"]
    assert Post.objects.filter(refresh_failures=1).count() == 2
    assert Post.objects.filter(refresh_failures=0, next_refresh_at=None).count() == 2


def test_a_post_not_found_is_marked_deleted_and_keeps_its_history(fake):
    post = PostFactory(post_id="AAA", views=700)
    PostSnapshotFactory(post=post, captured_at=NOW - timedelta(days=1), views=700)
    fake.posts["AAA"] = NotFound("gone")

    report = post_refresh_due(now=NOW)

    post.refresh_from_db()
    assert report.ok == 1
    assert post.deleted_at == NOW
    assert post.views == 700
    assert PostSnapshot.objects.filter(post=post).count() == 1
    assert posts_claim_due(now=NOW + timedelta(days=365), limit=10) == []


def test_a_deleted_post_shows_when_it_was_found_gone_in_the_api_and_the_admin(
    fake, api, superuser_client
):
    post = PostFactory(post_id="GONE1", views=700)
    PostSnapshotFactory(post=post, captured_at=NOW - timedelta(days=1), views=700)
    fake.posts["GONE1"] = NotFound("gone")
    post_refresh_due(now=NOW)

    body = api.get(f"/api/v1/posts/{post.pk}/").json()
    assert body["deleted_at"] == "2026-03-18T12:00:00Z"
    assert body["views"] == 700
    page = superuser_client.get(f"/admin/posts/post/{post.pk}/change/").content.decode()
    assert "Deleted at" in page and "March 18, 2026" in page


def test_known_metadata_is_never_erased_by_a_provider_that_does_not_know_it(fake):
    post = PostFactory(post_id="AAA", caption="Original", width=1080, height=1920)
    fake.posts["AAA"] = fakes.post_stats("AAA", caption=None, width=None, height=None)

    post_refresh_due(now=NOW)

    post.refresh_from_db()
    assert (post.caption, post.width, post.height) == ("Original", 1080, 1920)


def test_a_counter_the_platform_does_not_expose_becomes_null_never_zero(fake):
    post = PostFactory(post_id="AAA", views=500)
    fake.posts["AAA"] = fakes.post_stats("AAA", views=None, likes=12)

    post_refresh_due(now=NOW)

    post.refresh_from_db()
    snapshot = PostSnapshot.objects.get(post=post)
    assert (post.views, post.likes) == (None, 12)
    assert (snapshot.views, snapshot.likes) == (None, 12)


def test_a_post_whose_author_becomes_known_is_linked_to_the_tracked_account(fake):
    account = AccountFactory(username="alice")
    post = PostFactory(post_id="AAA", username="")
    fake.posts["AAA"] = fakes.post_stats("AAA", username="Alice")

    post_refresh_due(now=NOW)

    post.refresh_from_db()
    assert post.username == "alice"
    assert post.account == account


def test_a_post_failing_past_the_limit_is_reported_as_a_dead_letter(fake):
    post = PostFactory(post_id="AAA", refresh_failures=2)
    fake.posts["AAA"] = TemporaryError("503")
    reports = []

    post_refresh_due(now=NOW, on_batch=reports.append)

    (report,) = reports
    (dead,) = report.dead_letters
    assert dead.obj.pk == post.pk
    assert dead.attempts == 3
    assert dead.error == "TemporaryError: 503"


DAY = timedelta(days=1)


@pytest.mark.parametrize(
    ("age", "pending_trial", "interval"),
    [
        (timedelta(hours=2), False, timedelta(hours=1)),
        (DAY - timedelta(seconds=1), False, timedelta(hours=1)),
        (DAY, False, timedelta(hours=6)),
        (6 * DAY, False, timedelta(hours=6)),
        (7 * DAY, False, DAY),
        (29 * DAY, False, DAY),
        (30 * DAY, False, 7 * DAY),
        (89 * DAY, False, 7 * DAY),
        (90 * DAY, False, 30 * DAY),
        (400 * DAY, False, 30 * DAY),
        (2 * DAY, True, timedelta(hours=1)),
        (3 * DAY, True, timedelta(hours=6)),
        (10 * DAY, True, DAY),
    ],
)
def test_the_refresh_cadence_follows_the_posts_age(age, pending_trial, interval):
    assert post_refresh_interval(age=age, pending_trial=pending_trial) == interval


def test_a_pending_trial_reel_is_refreshed_hourly_in_its_first_three_days(fake):
    trial = PostFactory(
        post_id="TRIAL",
        is_trial=True,
        trial_status=TrialStatus.PENDING,
        post_date=NOW - 2 * DAY,
    )
    fake.posts["TRIAL"] = fakes.post_stats("TRIAL")

    post_refresh_due(now=NOW)

    trial.refresh_from_db()
    assert trial.next_refresh_at == NOW + timedelta(hours=1)


def test_a_post_without_a_date_takes_its_age_from_when_it_was_added(fake):
    post = PostFactory(post_id="AAA", post_date=None, added_date=NOW - 10 * DAY)
    fake.posts["AAA"] = fakes.post_stats("AAA")

    post_refresh_due(now=NOW)

    post.refresh_from_db()
    assert post.next_refresh_at == NOW + DAY


def test_the_refresh_posts_task_refreshes_the_given_posts_due_or_not(fake):
    wanted = PostFactory(post_id="AAA", next_refresh_at=NOW + DAY * 300)
    PostFactory(post_id="BBB")
    fake.posts["AAA"] = fakes.post_stats("AAA")

    assert refresh_posts([wanted.pk]) == "1 ok, 0 failed"

    assert list(PostSnapshot.objects.values_list("post_id", flat=True)) == [wanted.pk]


def test_a_pass_goes_through_the_queue_in_order_in_batches_and_takes_every_due_post(fake):
    posts = [PostFactory(next_refresh_at=NOW - timedelta(minutes=m)) for m in (1, 5, 5, 5, 9)]
    for post in posts:
        fake.posts[post.post_id] = fakes.post_stats(post.post_id)
    batches = []

    post_refresh_due(now=NOW, batch_size=2, on_batch=batches.append)

    assert [report.ok for report in batches] == [2, 2, 1]
    assert PostSnapshot.objects.filter(captured_at=NOW).count() == 5


def test_a_post_that_becomes_due_behind_the_pass_is_refreshed_in_the_same_pass(fake):
    # The pass claims each batch after the previous one in the queue; a post added meanwhile
    # (never refreshed: the queue's head) is still taken before the pass ends.
    due = NOW - timedelta(minutes=1)
    first = PostFactory(post_id="AAA", next_refresh_at=due)
    second = PostFactory(post_id="BBB", next_refresh_at=due)
    for post_id in ("AAA", "BBB", "NEW"):
        fake.posts[post_id] = fakes.post_stats(post_id)
    added = []

    def add_a_post(report):
        if not added:
            added.append(PostFactory(post_id="NEW"))

    report = post_refresh_due(now=NOW, batch_size=1, on_batch=add_a_post)

    assert report.ok == 3
    assert set(PostSnapshot.objects.values_list("post_id", flat=True)) == {
        first.pk,
        second.pk,
        added[0].pk,
    }
