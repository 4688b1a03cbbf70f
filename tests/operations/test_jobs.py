"""Jobs record their runs and their dead letters; a crash fails the run and is re-raised."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import IntegrityError, transaction

from creators.models import Account
from operations import jobs
from operations.models import FailedItem, FailedItemKind, JobRun, JobStatus
from operations.services import failed_items_retry, job_run_start
from platforms.providers.base import Private, TemporaryError
from posts.models import Post
from tests.creators.factories import AccountFactory
from tests.operations import fakes
from tests.operations.factories import FailedItemFactory, JobRunFactory
from tests.posts.factories import PostFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 18, 12, 0, tzinfo=UTC)


@pytest.fixture
def fake(settings, monkeypatch):
    settings.REFRESH_MAX_FAILURES = 2
    return fakes.install(settings, monkeypatch)


def test_a_job_run_records_its_items_ok_and_failed(fake):
    for post_id in ("OK1", "OK2"):
        PostFactory(post_id=post_id)
        fake.posts[post_id] = fakes.post_stats(post_id)
    PostFactory(post_id="BAD")
    fake.posts["BAD"] = TemporaryError("503")

    run = JobRun.objects.get(pk=jobs.refresh_post_stats(now=NOW))

    assert run.job == "refresh_post_stats"
    assert run.status == JobStatus.PARTIAL
    assert (run.items_ok, run.items_failed) == (2, 1)
    assert run.finished_at is not None
    assert run.error == "1 item failed: TemporaryError: 503 (1)"


def test_a_run_with_nothing_to_do_succeeded(fake):
    run = JobRun.objects.get(pk=jobs.refresh_post_stats(now=NOW))

    assert (run.status, run.items_ok, run.items_failed) == (JobStatus.SUCCEEDED, 0, 0)


def test_a_run_where_every_item_failed_is_failed(fake):
    PostFactory(post_id="BAD")
    fake.posts["BAD"] = TemporaryError("503")

    run = JobRun.objects.get(pk=jobs.refresh_post_stats(now=NOW))

    assert run.status == JobStatus.FAILED


def test_a_failed_or_partial_run_records_its_error_summary_and_the_dashboard_shows_it(
    fake, superuser_client
):
    for index in range(3):
        PostFactory(post_id=f"LIM{index}")
        fake.posts[f"LIM{index}"] = TemporaryError("Instagram answered 503")
    PostFactory(post_id="GONE")
    fake.posts["GONE"] = TemporaryError("yt-dlp: Video unavailable")
    AccountFactory(username="alice")
    fake.profiles["alice"] = TemporaryError("Apify run failed")

    posts_run = JobRun.objects.get(pk=jobs.refresh_post_stats(now=NOW))
    accounts_run = JobRun.objects.get(pk=jobs.refresh_account_stats(now=NOW))

    assert posts_run.status == JobStatus.FAILED
    assert posts_run.error == (
        "4 items failed: TemporaryError: Instagram answered 503 (3); "
        "TemporaryError: yt-dlp: Video unavailable (1)"
    )
    assert accounts_run.error == "1 item failed: TemporaryError: Apify run failed (1)"
    page = superuser_client.get("/admin/operations/jobrun/dashboard/").content.decode()
    assert "TemporaryError: Instagram answered 503 (3)" in page


def test_a_crash_after_failed_items_keeps_both_the_crash_and_the_items_errors(fake, monkeypatch):
    from core.jobs import WorkReport
    from operations.services import job_run_finish, job_run_record

    run = job_run_start(job="refresh_post_stats")
    report = WorkReport(kind="post_refresh")
    report.item_failed(PostFactory(), error="TemporaryError: 503", attempts=1)
    job_run_record(run=run, report=report)
    job_run_finish(run=run, error=RuntimeError("database on fire"))

    run.refresh_from_db()
    assert run.error == "RuntimeError: database on fire\n1 item failed: TemporaryError: 503 (1)"


def test_a_crashing_job_marks_its_run_failed_with_the_error_and_reraises(fake, monkeypatch):
    PostFactory(post_id="AAA")

    def crash(refs):
        raise RuntimeError("database on fire")

    monkeypatch.setattr("platforms.providers.chain.fetch_posts", crash)

    with pytest.raises(RuntimeError, match="database on fire"):
        jobs.refresh_post_stats(now=NOW)

    run = JobRun.objects.get()
    assert run.status == JobStatus.FAILED
    assert run.error == "RuntimeError: database on fire"
    assert run.finished_at is not None


def test_a_run_left_running_by_a_killed_worker_is_closed_as_failed_by_the_next_one(settings):
    silent = datetime.now(UTC) - timedelta(seconds=settings.JOB_LEASE_SECONDS + 1)
    stale = JobRunFactory(status=JobStatus.RUNNING, finished_at=None, started_at=silent)
    running = JobRunFactory(status=JobStatus.RUNNING, finished_at=None)

    job_run_start(job="refresh_post_stats")

    stale.refresh_from_db()
    running.refresh_from_db()
    assert stale.status == JobStatus.FAILED
    assert stale.error.startswith("Abandoned: no sign of life")
    assert running.status == JobStatus.RUNNING


def test_failures_past_the_limit_land_in_dead_letters_once_and_a_rerun_counts_attempts(fake):
    post = PostFactory(post_id="BAD")
    fake.posts["BAD"] = TemporaryError("503")

    jobs.refresh_post_stats(now=NOW)  # 1st failure: below the limit
    assert not FailedItem.objects.exists()

    Post.objects.update(next_refresh_at=None)
    jobs.refresh_post_stats(now=NOW + timedelta(hours=1))  # 2nd: the limit
    Post.objects.update(next_refresh_at=None)
    fake.posts["BAD"] = TemporaryError("504")
    jobs.refresh_post_stats(now=NOW + timedelta(hours=2))  # 3rd

    item = FailedItem.objects.get()
    assert item.kind == FailedItemKind.POST_REFRESH
    assert (item.object_type, item.object_id) == ("posts.Post", str(post.pk))
    assert item.object_url == post.url
    assert item.attempts == 3
    assert item.error == "TemporaryError: 504"
    assert item.resolved_at is None
    assert item.last_failed_at >= item.first_failed_at


def test_a_dead_letter_is_resolved_when_its_item_succeeds_again(fake):
    post = PostFactory(post_id="AAA", refresh_failures=1)
    fake.posts["AAA"] = TemporaryError("503")
    jobs.refresh_post_stats(now=NOW)
    assert FailedItem.objects.filter(resolved_at__isnull=True).count() == 1

    fake.posts["AAA"] = fakes.post_stats("AAA")
    Post.objects.filter(pk=post.pk).update(next_refresh_at=None)
    jobs.refresh_post_stats(now=NOW + timedelta(hours=1))

    assert FailedItem.objects.get().resolved_at is not None


def test_a_resolved_dead_letter_does_not_block_a_new_one_for_the_same_object():
    FailedItemFactory(object_id="7", resolved_at=NOW)
    FailedItemFactory(object_id="7")

    with pytest.raises(IntegrityError), transaction.atomic():
        FailedItemFactory(object_id="7")
    assert FailedItem.objects.filter(object_id="7").count() == 2


def test_account_failures_past_the_limit_land_in_dead_letters(fake):
    account = AccountFactory(username="alice", stats_failures=1)
    fake.profiles["alice"] = TemporaryError("503")

    run = JobRun.objects.get(pk=jobs.refresh_account_stats(now=NOW))

    item = FailedItem.objects.get()
    assert (item.kind, item.object_type, item.object_id) == (
        FailedItemKind.ACCOUNT_REFRESH,
        "creators.Account",
        str(account.pk),
    )
    assert run.items_failed == 1


def test_a_private_account_is_settled_not_failed(fake):
    AccountFactory(username="alice")
    fake.profiles["alice"] = Private("private")

    run = JobRun.objects.get(pk=jobs.refresh_account_stats(now=NOW))

    assert (run.status, run.items_ok) == (JobStatus.SUCCEEDED, 1)
    assert not Account.objects.get().tracking_enabled


def test_retrying_dead_letters_makes_their_objects_due_with_a_clean_count():
    post = PostFactory(refresh_failures=7, next_refresh_at=NOW + timedelta(days=1))
    account = AccountFactory(detect_failures=6, next_detect_at=NOW + timedelta(days=1))
    FailedItemFactory(object_id=str(post.pk))
    FailedItemFactory(
        kind=FailedItemKind.NEW_POST_DETECTION,
        object_type="creators.Account",
        object_id=str(account.pk),
    )

    assert failed_items_retry(items=FailedItem.objects.all()) == 2

    post.refresh_from_db()
    account.refresh_from_db()
    assert (post.refresh_failures, post.next_refresh_at) == (0, None)
    assert (account.detect_failures, account.next_detect_at) == (0, None)
