"""What follows a publish: the tracked post is created even when the first try failed or never
ran (a worker that died before its on-commit work), it is shown linked on the target's admin
page and in the API, and the apps above publishing hear of published, failed and unconfirmed
targets through publishing/hooks.py."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from operations.jobs import publish_due_targets
from posts.models import Post
from publishing import hooks
from publishing.choices import AttemptStep, TargetState
from publishing.models import PublishTarget
from publishing.services.platforms import platform_publisher
from publishing.services.publisher import target_publish, targets_claim_due
from publishing.services.tracking import targets_track_due
from tests.platforms.publish_fakes import Fault
from tests.publishing.factories import PublishTargetFactory
from tests.publishing.publish_setup import due_target, fake_platforms, media_asset

pytestmark = pytest.mark.django_db

VIDEO = bytes(range(256)) * 4096


@pytest.fixture
def fakes(settings, tmp_path):
    yield from fake_platforms(settings, tmp_path)


@pytest.fixture
def heard():
    """What a registered test callback heard: (event, target id, state, tracked post id)."""
    calls = []

    def on_published(target_id):
        target = PublishTarget.objects.get(pk=target_id)
        calls.append(("published", target_id, target.state, target.tracked_post_id))

    def on_failed(target_id):
        target = PublishTarget.objects.get(pk=target_id)
        calls.append(("failed", target_id, target.state, target.error_class))

    hooks.register_target_published(on_published)
    hooks.register_target_failed(on_failed)
    yield calls
    hooks.unregister(on_published)
    hooks.unregister(on_failed)


def later(seconds: float):
    return timezone.now() + timedelta(seconds=seconds)


def test_a_publish_whose_tracking_never_ran_is_tracked_by_a_later_pass(
    fakes, heard, django_capture_on_commit_callbacks
):
    target = due_target("instagram", media_asset(VIDEO))
    # The worker publishes, then dies before the end of its pass (where tracking runs).
    (pk,) = targets_claim_due(now=timezone.now(), limit=10)
    target_publish(pk, publisher_for=platform_publisher)
    target.refresh_from_db()
    assert target.state == TargetState.PUBLISHED and target.tracked_post is None
    assert heard == []

    with django_capture_on_commit_callbacks(execute=True):
        publish_due_targets(now=later(1))
    target.refresh_from_db()
    assert target.tracked_post is not None
    assert target.tracked_post.url == target.published_url
    assert target.next_attempt_at is None
    assert heard == [("published", target.pk, TargetState.PUBLISHED, target.tracked_post_id)]
    publish_due_targets(now=later(settings.PUBLISH_TRACK_RETRY_SECONDS * 4))
    assert Post.objects.count() == 1  # idempotent: a later pass does nothing more


def test_a_tracking_failure_is_tried_again_with_a_growing_wait_then_left_on_the_log(settings):
    settings.PUBLISH_TRACK_MAX_TRIES = 3
    target = PublishTargetFactory(
        state=TargetState.PUBLISHED,
        published_at=timezone.now(),
        published_url="https://www.youtube.com/watch?v=tooshort",
        next_attempt_at=timezone.now(),
    )
    waits = []
    for _ in range(5):
        before = timezone.now()
        targets_track_due(now=later(10**6))
        target.refresh_from_db()
        if target.next_attempt_at is None:
            break
        waits.append((target.next_attempt_at - before).total_seconds())
        PublishTarget.objects.filter(pk=target.pk).update(next_attempt_at=timezone.now())
    assert target.attempts.filter(step=AttemptStep.TRACK).count() == 3
    assert target.state == TargetState.PUBLISHED and target.next_attempt_at is None
    base = settings.PUBLISH_TRACK_RETRY_SECONDS
    assert [round(w / base) for w in waits] == [1, 2]


def test_the_published_hook_runs_after_commit_with_the_tracked_post_linked(
    fakes, heard, django_capture_on_commit_callbacks
):
    target = due_target("instagram", media_asset(VIDEO))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        publish_due_targets()
    assert heard == []  # nothing before the commit
    for callback in callbacks:
        callback()
    target.refresh_from_db()
    assert heard == [("published", target.pk, TargetState.PUBLISHED, target.tracked_post_id)]
    assert target.tracked_post_id is not None


def test_the_failed_hook_hears_final_failures_and_unconfirmed_targets(
    fakes, heard, django_capture_on_commit_callbacks
):
    invalid = {
        "error": {"code": 400, "message": "Bad title", "errors": [{"reason": "invalidTitle"}]}
    }
    fakes["youtube"].fail("init", Fault(status=400, body=invalid))
    failed = due_target("youtube", media_asset(VIDEO))
    fakes["tiktok"].fail("init", Fault(status=502))  # did the photo post go out? nobody knows
    lost = due_target("tiktok", media_asset(b"photo", kind="image", mime="image/jpeg"))
    with django_capture_on_commit_callbacks(execute=True):
        publish_due_targets()
        publish_due_targets(now=later(1))
        publish_due_targets(now=later(settings.PUBLISH_UNCONFIRMED_AFTER_SECONDS + 5))
    assert ("failed", failed.pk, TargetState.FAILED, "youtube_invalidTitle") in heard
    assert ("failed", lost.pk, TargetState.UNCONFIRMED, "unconfirmed") in heard
    assert [h for h in heard if h[0] == "published"] == []


def test_a_failing_hook_never_undoes_the_publish(fakes, django_capture_on_commit_callbacks):
    def broken(target_id):
        raise RuntimeError("the workflow app is broken")

    hooks.register_target_published(broken)
    try:
        target = due_target("instagram", media_asset(VIDEO))
        with django_capture_on_commit_callbacks(execute=True):
            publish_due_targets()
    finally:
        hooks.unregister(broken)
    target.refresh_from_db()
    assert target.state == TargetState.PUBLISHED and target.tracked_post is not None


def test_the_tracked_post_is_linked_on_the_target_page_and_in_the_api(client, api, staff, fakes):
    target = due_target("instagram", media_asset(VIDEO))
    publish_due_targets()
    target.refresh_from_db()
    post = target.tracked_post

    client.force_login(staff)
    page = client.get(reverse("admin:publishing_publishtarget_change", args=[target.pk]))
    assert reverse("admin:posts_post_change", args=[post.pk]) in page.content.decode()

    data = api.get(f"/api/v1/scheduled-posts/{target.post_id}/").json()
    (row,) = data["targets"]
    assert row["tracked_post"] == post.pk
    assert row["tracked_post_url"].endswith(f"/api/v1/posts/{post.pk}/")
    assert api.get(row["tracked_post_url"]).status_code == 200


def test_the_author_is_told_once_when_a_target_stays_unconfirmed_or_fails(fakes):
    from django.contrib.auth import get_user_model

    from notifications.models import Notification

    author = get_user_model().objects.create_user("planner", password="x")
    invalid = {
        "error": {"code": 400, "message": "Bad title", "errors": [{"reason": "invalidTitle"}]}
    }
    fakes["youtube"].fail("init", Fault(status=400, body=invalid))
    failed = due_target("youtube", media_asset(VIDEO))
    fakes["tiktok"].fail("init", Fault(status=502))
    lost = due_target("tiktok", media_asset(b"photo", kind="image", mime="image/jpeg"))
    for target in (failed, lost):
        target.post.created_by = author
        target.post.save(update_fields=["created_by"])
    publish_due_targets()
    publish_due_targets(now=later(settings.PUBLISH_UNCONFIRMED_AFTER_SECONDS + 5))
    publish_due_targets(now=later(settings.PUBLISH_UNCONFIRMED_AFTER_SECONDS + 600))
    told = {n.kind: n for n in Notification.objects.filter(user=author)}
    assert set(told) == {"publish_failed", "publish_unconfirmed"}
    assert Notification.objects.filter(user=author).count() == 2
    assert "Bad title" in told["publish_failed"].text
    assert "is unconfirmed" in told["publish_unconfirmed"].text
    assert told["publish_unconfirmed"].url.endswith(
        reverse("admin:publishing_publishtarget_change", args=[lost.pk])
    )
