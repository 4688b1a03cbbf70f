"""Dead letters replayed through the jobs' own services: success resolves them, a new failure
updates them; resolve by hand; AI dead letters go back to the queue."""

import pytest

from operations.models import FailedItem, FailedItemKind, JobRun, JobStatus
from operations.services import REPLAY_JOB, failed_items_close, failed_items_replay
from platforms.providers.base import TemporaryError
from posts.choices import ProcessingStatus
from tests.creators.factories import AccountFactory
from tests.operations import fakes
from tests.operations.factories import FailedItemFactory
from tests.posts.factories import PostFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake(settings, monkeypatch):
    settings.REFRESH_MAX_FAILURES = 2
    return fakes.install(settings, monkeypatch)


def _dead_post(post_id: str, failures: int = 2):
    post = PostFactory(post_id=post_id, refresh_failures=failures)
    item = FailedItemFactory(
        kind=FailedItemKind.POST_REFRESH, object_id=str(post.pk), error="TemporaryError: 503"
    )
    return post, item


def test_a_replayed_dead_letter_that_succeeds_is_resolved(fake):
    post, item = _dead_post("BACK")
    fake.posts["BACK"] = fakes.post_stats("BACK", views=777)

    report = failed_items_replay(items=FailedItem.objects.filter(pk=item.pk))

    assert (report.ok, report.failed, report.queued) == (1, 0, 0)
    item.refresh_from_db()
    post.refresh_from_db()
    assert item.resolved_at is not None
    assert post.views == 777 and post.refresh_failures == 0
    run = JobRun.objects.get(pk=report.run_id)
    assert (run.job, run.status, run.items_ok) == (REPLAY_JOB, JobStatus.SUCCEEDED, 1)


def test_a_replayed_dead_letter_that_fails_again_stays_open_with_the_new_error(fake):
    _, item = _dead_post("STILL")
    fake.posts["STILL"] = TemporaryError("502 again")

    report = failed_items_replay(items=FailedItem.objects.filter(pk=item.pk))

    assert (report.ok, report.failed) == (0, 1)
    item.refresh_from_db()
    assert item.resolved_at is None
    assert item.attempts == 6 and "502 again" in item.error
    assert FailedItem.objects.filter(resolved_at__isnull=True).count() == 1
    assert JobRun.objects.get(pk=report.run_id).status == JobStatus.FAILED


def test_replaying_an_account_refresh_goes_through_the_profile_service(fake):
    account = AccountFactory(username="comeback", stats_failures=2)
    item = FailedItemFactory(
        kind=FailedItemKind.ACCOUNT_REFRESH,
        object_type="creators.Account",
        object_id=str(account.pk),
    )
    fake.profiles["comeback"] = fakes.profile_stats("comeback", followers=4321)

    report = failed_items_replay(items=FailedItem.objects.filter(pk=item.pk))

    assert report.ok == 1
    account.refresh_from_db()
    assert account.followers == 4321
    assert FailedItem.objects.get(pk=item.pk).resolved_at is not None


def test_ai_dead_letters_and_those_beyond_the_limit_are_queued_for_the_next_run(fake, settings):
    settings.REPLAY_NOW_MAX = 1
    failed = PostFactory(processing_status=ProcessingStatus.FAILED, ai_attempts=3, ai_error="x")
    FailedItemFactory(kind=FailedItemKind.AI_CLASSIFICATION, object_id=str(failed.pk))
    _dead_post("ONE")
    _dead_post("TWO")
    fake.posts["ONE"] = fakes.post_stats("ONE")
    fake.posts["TWO"] = fakes.post_stats("TWO")

    report = failed_items_replay(items=FailedItem.objects.all())

    assert report.ok == 1 and report.queued == 2
    failed.refresh_from_db()
    assert failed.processing_status == ProcessingStatus.PENDING and failed.ai_attempts == 0


def test_resolving_by_hand_closes_only_open_dead_letters():
    items = FailedItemFactory.create_batch(3)

    assert failed_items_close(items=FailedItem.objects.filter(pk__in=[i.pk for i in items])) == 3
    assert failed_items_close(items=FailedItem.objects.all()) == 0
