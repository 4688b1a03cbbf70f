from django.utils import timezone

from publishing.choices import TargetState
from tests.creators.factories import AccountFactory, CreatorFactory
from tests.publishing.factories import (
    PublishTargetFactory,
    ScheduledPostFactory,
    SocialConnectionFactory,
)
from tests.workflow.factories import draft_add, task_make
from workflow.choices import Column
from workflow.models import ContentTask, TaskMove


def task_in(column: str, *, creator=None, for_published: bool = False, **kwargs) -> ContentTask:
    """A task placed straight in `column` with what its next moves need: a draft and a caption,
    for Needs changes a newer draft than the request, for Scheduled a post whose targets wait
    (or are published, `for_published`)."""
    creator = creator or CreatorFactory()
    task = task_make(creator=creator, **kwargs)
    account = AccountFactory(creator=creator, platform="instagram")
    SocialConnectionFactory(account=account)
    task.target_accounts.add(account)
    if column != Column.BACKLOG:
        if column == Column.NEEDS_CHANGES:
            draft_add(task)
            asked = TaskMove.objects.create(
                task=task, to_column=Column.NEEDS_CHANGES, from_column=Column.SUBMITTED
            )
            TaskMove.objects.filter(pk=asked.pk).update(
                at=timezone.now() - timezone.timedelta(hours=1)
            )
        if column == Column.SCHEDULED:
            post = ScheduledPostFactory()
            PublishTargetFactory(
                post=post,
                connection=account.social_connections.get(),
                state=TargetState.PUBLISHED if for_published else TargetState.SCHEDULED,
                published_at=timezone.now() if for_published else None,
            )
            task.scheduled_post = post
        size = ContentTask.objects.filter(column=column).count()
        ContentTask.objects.filter(pk=task.pk).update(
            column=column, position=size, scheduled_post=task.scheduled_post
        )
        task.refresh_from_db()
    draft_add(task)
    return task
