"""Approved → Scheduled creates the ScheduledPost on the task's target accounts with the latest
draft and caption; the real publishing job publishes it to the fake platform; workflow's
callback (publishing's target hook) moves the task to Published and links the tracked post to
the task and the creator's finance item; a failed target flags the task instead."""

import pytest
from django.utils import timezone

from operations.jobs import publish_due_targets
from posts.models import Post
from publishing.choices import ConnectionMethod, MediaKind, TargetState
from publishing.models import PublishTarget
from tests.creators.factories import AccountFactory, CreatorFactory
from tests.finance.factories import FinanceItemFactory
from tests.platforms.publish_fakes import TOKEN
from tests.publishing.factories import SocialConnectionFactory
from tests.publishing.publish_setup import fake_platforms, media_asset
from tests.workflow.factories import task_make
from workflow.choices import Column
from workflow.models import Asset, CaptionVersion, ContentTask
from workflow.services.publishing import task_target_settled
from workflow.services.tasks import MoveRefused, task_move

pytestmark = pytest.mark.django_db
VIDEO = bytes(range(256)) * 4096


@pytest.fixture
def fakes(settings, tmp_path):
    yield from fake_platforms(settings, tmp_path)


def approved_task(*, with_connection=True, token=TOKEN):
    creator = CreatorFactory(finance_item=FinanceItemFactory(), timezone="Europe/Berlin")
    account = AccountFactory(creator=creator, platform="instagram", username="maya.reels")
    if with_connection:
        SocialConnectionFactory(
            account=account,
            method=ConnectionMethod.INSTAGRAM_LOGIN,
            access_token=token,
        )
    task = task_make(creator=creator, title="Launch reel", target_accounts=[account])
    Asset.objects.create(task=task, kind="video", media=media_asset(b"old" + VIDEO), version=1)
    Asset.objects.create(task=task, kind="video", media=media_asset(VIDEO), version=2)
    CaptionVersion.objects.create(task=task, number=1, text="First try")
    CaptionVersion.objects.create(task=task, number=2, text="Launch day", hashtags=["agency"])
    ContentTask.objects.filter(pk=task.pk).update(column=Column.APPROVED, position=0)
    task.refresh_from_db()
    return task


def test_scheduling_an_approved_task_schedules_its_latest_draft_and_caption(staff, fakes):
    task = approved_task()
    when = timezone.now() + timezone.timedelta(days=2)

    task_move(task=task, to=Column.SCHEDULED, actor=staff, scheduled_at=when)

    task.refresh_from_db()
    post = task.scheduled_post
    assert task.column == Column.SCHEDULED
    assert post.caption == "Launch day" and post.hashtags == ["agency"]
    assert [m.checksum for m in post.media.all()] == [
        Asset.objects.get(task=task, version=2).media.checksum
    ]
    assert post.timezone == "Europe/Berlin"
    assert abs((post.scheduled_at - when).total_seconds()) < 1
    assert [t.connection.account.username for t in post.targets.all()] == ["maya.reels"]


def test_scheduling_without_a_connection_is_refused_with_the_reason(staff):
    task = approved_task(with_connection=False)
    with pytest.raises(MoveRefused, match="publishing connection for every target account"):
        task_move(
            task=task,
            to=Column.SCHEDULED,
            actor=staff,
            scheduled_at=timezone.now() + timezone.timedelta(days=1),
        )
    task.refresh_from_db()
    assert task.column == Column.APPROVED and task.scheduled_post is None


def test_posting_now_then_the_publisher_moves_the_task_to_published_with_its_post(
    staff, fakes, django_capture_on_commit_callbacks
):
    task = approved_task()
    task_move(task=task, to=Column.SCHEDULED, actor=staff, publish_now=True)
    task.refresh_from_db()

    with django_capture_on_commit_callbacks(execute=True):
        publish_due_targets()
    target = PublishTarget.objects.get(post=task.scheduled_post)
    assert target.state == TargetState.PUBLISHED
    assert len(fakes["instagram"].posts) == 1
    task.refresh_from_db()
    assert task.column == Column.PUBLISHED  # by publishing's hook, nobody moved it
    task_target_settled(target.pk)  # at-least-once: a second call changes nothing

    task.refresh_from_db()
    post = Post.objects.get(url=target.published_url)
    assert task.column == Column.PUBLISHED
    assert list(task.published_posts.all()) == [post]
    assert post.finance_item == task.creator.finance_item
    assert task.moves.filter(to_column=Column.PUBLISHED, via="publisher").count() == 1


def test_a_failed_target_keeps_the_task_scheduled_and_flags_it(staff, fakes):
    task = approved_task(token="expired-token")
    task_move(task=task, to=Column.SCHEDULED, actor=staff, publish_now=True)
    task.refresh_from_db()
    PublishTarget.objects.filter(post=task.scheduled_post).update(
        state=TargetState.FAILED, error="The media could not be fetched"
    )
    target = PublishTarget.objects.get(post=task.scheduled_post)

    task_target_settled(target.pk)

    task.refresh_from_db()
    assert task.column == Column.SCHEDULED
    assert task.flagged
    assert "The media could not be fetched" in task.flag_reason


def test_unscheduling_cancels_the_post_while_nothing_is_published(staff):
    task = approved_task()
    task_move(
        task=task,
        to=Column.SCHEDULED,
        actor=staff,
        scheduled_at=timezone.now() + timezone.timedelta(days=1),
    )
    task.refresh_from_db()
    post = task.scheduled_post

    task_move(task=task, to=Column.APPROVED, actor=staff)

    task.refresh_from_db()
    assert task.scheduled_post is None
    assert set(post.targets.values_list("state", flat=True)) == {TargetState.CANCELLED}


def test_a_video_media_is_handed_in_as_a_video_asset(staff):
    from workflow.services.submissions import task_assets_add

    task = task_make()
    media = media_asset(b"clip" + VIDEO, kind=MediaKind.VIDEO)
    (asset,) = task_assets_add(task=task, media=[media], submitted_by=staff)
    assert asset.kind == "video" and asset.version == 1
