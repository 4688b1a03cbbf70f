"""Scheduling: the user's zone is kept across DST, edits and cancels stop once a target is
claimed, the post's status follows its targets, and a retry touches only failed targets."""

from datetime import UTC, datetime

import pytest

from core.errors import ConflictError, DomainError
from publishing.choices import PostStatus, TargetState
from publishing.queries import scheduled_post_status
from publishing.services.publisher import targets_claim_due
from publishing.services.scheduling import (
    local_time_to_utc,
    scheduled_post_cancel,
    scheduled_post_create,
    scheduled_post_reschedule,
    scheduled_post_retry_failed,
    scheduled_post_update,
)
from tests.publishing.factories import MediaAssetFactory, SocialConnectionFactory

pytestmark = pytest.mark.django_db

BERLIN = "Europe/Berlin"


@pytest.fixture
def manager(role_user):
    return role_user("Manager")


def schedule(user, connections, local_time, zone=BERLIN, **kwargs):
    return scheduled_post_create(
        caption="Hello",
        media=[MediaAssetFactory()],
        connections=connections,
        local_time=local_time,
        timezone=zone,
        created_by=user,
        **kwargs,
    )


def test_a_0900_berlin_post_stays_0900_local_on_both_sides_of_the_march_change(manager):
    connection = SocialConnectionFactory()

    before = schedule(manager, [connection], datetime(2027, 3, 27, 9, 0))
    after = schedule(manager, [connection], datetime(2027, 3, 29, 9, 0))

    assert before.scheduled_at == datetime(2027, 3, 27, 8, 0, tzinfo=UTC)  # CET, UTC+1
    assert after.scheduled_at == datetime(2027, 3, 29, 7, 0, tzinfo=UTC)  # CEST, UTC+2
    assert after.timezone == BERLIN
    assert after.targets.get().next_attempt_at == after.scheduled_at


def test_a_0900_berlin_post_stays_0900_local_on_both_sides_of_the_october_change(manager):
    connection = SocialConnectionFactory()

    before = schedule(manager, [connection], datetime(2027, 10, 30, 9, 0))
    after = schedule(manager, [connection], datetime(2027, 11, 1, 9, 0))

    assert before.scheduled_at == datetime(2027, 10, 30, 7, 0, tzinfo=UTC)
    assert after.scheduled_at == datetime(2027, 11, 1, 8, 0, tzinfo=UTC)


def test_rescheduling_across_the_change_keeps_the_local_wall_time_and_zone(manager):
    post = schedule(manager, [SocialConnectionFactory()], datetime(2027, 3, 20, 9, 0))

    scheduled_post_reschedule(post, local_time=datetime(2027, 4, 3, 9, 0))

    post.refresh_from_db()
    assert post.scheduled_at == datetime(2027, 4, 3, 7, 0, tzinfo=UTC)
    assert post.targets.get().next_attempt_at == post.scheduled_at


def test_a_local_time_skipped_by_the_spring_change_is_refused_with_a_clear_message():
    with pytest.raises(DomainError) as error:
        local_time_to_utc(datetime(2027, 3, 28, 2, 30), BERLIN)

    assert error.value.code == "nonexistent_local_time"
    assert "does not exist in Europe/Berlin" in error.value.message
    assert "03:30" in error.value.message


def test_a_local_time_repeated_by_the_autumn_change_is_its_first_occurrence_unless_asked():
    first = local_time_to_utc(datetime(2027, 10, 31, 2, 30), BERLIN)
    second = local_time_to_utc(datetime(2027, 10, 31, 2, 30), BERLIN, fold=1)

    assert first == datetime(2027, 10, 31, 0, 30, tzinfo=UTC)  # still summer time
    assert second == datetime(2027, 10, 31, 1, 30, tzinfo=UTC)


def test_an_unknown_zone_is_refused():
    with pytest.raises(DomainError, match="not a time zone"):
        local_time_to_utc(datetime(2027, 1, 1, 9, 0), "Europe/Atlantis")


def test_a_post_with_one_target_per_connection_is_scheduled(manager):
    connections = [SocialConnectionFactory(), SocialConnectionFactory()]

    post = schedule(manager, connections, datetime(2027, 5, 1, 9, 0))

    assert post.targets.count() == 2
    assert scheduled_post_status(post) == PostStatus.SCHEDULED
    assert list(post.media_items.values_list("position", flat=True)) == [0]


def test_editing_and_cancelling_work_until_a_target_is_claimed(manager):
    post = schedule(
        manager, [SocialConnectionFactory(), SocialConnectionFactory()], datetime(2027, 5, 1, 9, 0)
    )
    scheduled_post_update(post, caption="New caption")
    assert post.caption == "New caption"

    claimed = targets_claim_due(now=post.scheduled_at, limit=1)

    assert len(claimed) == 1
    with pytest.raises(ConflictError):
        scheduled_post_update(post, caption="Too late")
    with pytest.raises(ConflictError):
        scheduled_post_cancel(post)
    with pytest.raises(ConflictError):
        scheduled_post_reschedule(post, local_time=datetime(2027, 5, 2, 9, 0))
    post.refresh_from_db()
    assert post.caption == "New caption"
    # The unclaimed target was not cancelled either: all or nothing.
    assert set(post.targets.values_list("state", flat=True)) == {"publishing", "scheduled"}


def test_a_cancelled_post_is_never_claimed(manager):
    post = schedule(manager, [SocialConnectionFactory()], datetime(2027, 5, 1, 9, 0))

    assert scheduled_post_cancel(post) == 1

    assert scheduled_post_status(post) == PostStatus.CANCELLED
    assert targets_claim_due(now=post.scheduled_at, limit=10) == []


@pytest.mark.parametrize(
    ("states", "status"),
    [
        ([], PostStatus.DRAFT),
        (["scheduled", "deferred"], PostStatus.SCHEDULED),
        (["scheduled", "publishing"], PostStatus.PUBLISHING),
        (["published", "scheduled"], PostStatus.PUBLISHING),
        (["published", "published", "cancelled"], PostStatus.PUBLISHED),
        (["published", "failed"], PostStatus.PARTIALLY_PUBLISHED),
        (["published", "unconfirmed"], PostStatus.PARTIALLY_PUBLISHED),
        (["failed", "unconfirmed"], PostStatus.FAILED),
        (["cancelled", "cancelled"], PostStatus.CANCELLED),
    ],
)
def test_the_post_status_is_derived_from_its_targets(states, status):
    from django.utils import timezone

    from tests.publishing.factories import PublishTargetFactory, ScheduledPostFactory

    post = ScheduledPostFactory()
    for state in states:
        published_at = timezone.now() if state == "published" else None
        PublishTargetFactory(post=post, state=state, published_at=published_at)

    assert scheduled_post_status(post) == status


def test_retrying_a_partially_published_post_retries_only_its_failed_targets(manager):
    from django.utils import timezone

    from tests.publishing.factories import PublishTargetFactory, ScheduledPostFactory

    post = ScheduledPostFactory()
    done = PublishTargetFactory(post=post, state="published", published_at=timezone.now())
    failed = PublishTargetFactory(post=post, state="failed", error_class="ig_2207001", retries=6)
    unsure = PublishTargetFactory(post=post, state="unconfirmed")

    assert scheduled_post_retry_failed(post) == 1

    for target in (done, failed, unsure):
        target.refresh_from_db()
    assert (done.state, failed.state, unsure.state) == ("published", "scheduled", "unconfirmed")
    assert (failed.retries, failed.error_class) == (0, "")


def test_editors_schedule_for_the_accounts_they_edit_and_analysts_for_none(role_user):
    from tests.creators.factories import AccountFactory
    from tests.settings_app.factories import EditorFactory

    editor = role_user("Editor")
    mine = SocialConnectionFactory(account=AccountFactory(editor=EditorFactory(user=editor)))
    theirs = SocialConnectionFactory()

    assert schedule(editor, [mine], datetime(2027, 5, 1, 9, 0)).targets.count() == 1
    with pytest.raises(DomainError, match="may not schedule"):
        schedule(editor, [theirs], datetime(2027, 5, 1, 9, 0))
    with pytest.raises(DomainError, match="may not schedule"):
        schedule(role_user("Analyst", username="analyst"), [mine], datetime(2027, 5, 1, 9, 0))
    assert schedule(role_user("Manager", username="m"), [theirs], datetime(2027, 5, 1, 9, 0))


def test_a_connection_needing_reauthorization_cannot_be_scheduled_to(manager):
    connection = SocialConnectionFactory(status="needs_reauth")

    with pytest.raises(DomainError, match="Reconnect"):
        schedule(manager, [connection], datetime(2027, 5, 1, 9, 0))


def test_a_time_in_the_past_is_refused(manager):
    with pytest.raises(DomainError, match="in the past"):
        schedule(manager, [SocialConnectionFactory()], datetime(2020, 5, 1, 9, 0))


def test_one_target_per_post_and_connection_is_a_database_rule():
    from django.db import IntegrityError, transaction

    from tests.publishing.factories import PublishTargetFactory

    target = PublishTargetFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        PublishTargetFactory(post=target.post, connection=target.connection)
    assert target.state == TargetState.SCHEDULED


def test_an_editor_sees_the_status_of_the_whole_post_not_only_of_their_targets(role_user):
    from django.utils import timezone

    from publishing.models import ScheduledPost
    from publishing.queries import scheduled_posts_visible_to, with_status
    from tests.creators.factories import AccountFactory
    from tests.publishing.factories import PublishTargetFactory, ScheduledPostFactory
    from tests.settings_app.factories import EditorFactory

    editor = role_user("Editor")
    mine = SocialConnectionFactory(account=AccountFactory(editor=EditorFactory(user=editor)))
    post = ScheduledPostFactory()
    PublishTargetFactory(post=post, connection=mine, state="published", published_at=timezone.now())
    PublishTargetFactory(post=post, state="failed")

    seen = with_status(scheduled_posts_visible_to(editor, ScheduledPost.objects.all()))

    assert list(seen.values_list("status", flat=True)) == [PostStatus.PARTIALLY_PUBLISHED]
