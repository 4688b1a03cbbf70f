"""Scheduled → Published by the publisher: workflow's callback on publishing's hook
(publishing/hooks.py, registered in WorkflowConfig.ready()). Never a signal."""

from django.db import transaction

from posts.models import Post
from publishing.choices import TargetState
from publishing.models import PublishTarget
from publishing.services.tracking import target_track

from ..choices import Column, MoveVia
from ..models import ContentTask
from .notify import task_publish_problem_notify
from .tasks import task_flag, task_move

_PROBLEM_STATES = {TargetState.FAILED, TargetState.UNCONFIRMED}


def task_published_posts_link(task: ContentTask) -> list[int]:
    """Link the tracked posts of the task's published targets to the task and give them the
    creator's finance item (where they have none). Idempotent; returns the post ids."""
    targets = PublishTarget.objects.filter(
        post_id=task.scheduled_post_id, state=TargetState.PUBLISHED
    )
    for target_id in targets.filter(tracked_post__isnull=True).values_list("pk", flat=True):
        target_track(target_id)  # created or linked by URL; a failure is on the target's log
    post_ids = list(
        targets.filter(tracked_post__isnull=False).values_list("tracked_post_id", flat=True)
    )
    if post_ids:
        task.published_posts.add(*post_ids)
        finance_item_id = task.creator.finance_item_id
        if finance_item_id:
            Post.objects.filter(pk__in=post_ids, finance_item__isnull=True).update(
                finance_item_id=finance_item_id
            )
    return post_ids


def task_target_settled(target_id: int, *args, **kwargs) -> None:
    """A target of some task's post was published, failed or left unconfirmed: when every
    live target is published, the task moves to Published and its posts are linked; a failed
    or unconfirmed target flags the task (it stays in Scheduled)."""
    post_id = PublishTarget.objects.filter(pk=target_id).values_list("post_id", flat=True).first()
    if post_id is None:
        return
    tasks = ContentTask.objects.select_related("creator").filter(
        scheduled_post_id=post_id, column__in=[Column.SCHEDULED, Column.PUBLISHED]
    )
    for task in tasks:  # one task per scheduled post in practice
        states = list(
            PublishTarget.objects.filter(post_id=post_id)
            .exclude(state=TargetState.CANCELLED)
            .values_list("state", "error")
        )
        problems = [(s, e) for s, e in states if s in _PROBLEM_STATES]
        if states and all(s == TargetState.PUBLISHED for s, _ in states):
            with transaction.atomic():
                task_published_posts_link(task)
                if task.column == Column.SCHEDULED:
                    task_move(
                        task=task,
                        to=Column.PUBLISHED,
                        actor=None,
                        via=MoveVia.PUBLISHER,
                        note="Every target published.",
                    )
        elif problems:
            reason = "; ".join(
                f"{TargetState(s).label}: {e}" if e else str(TargetState(s).label)
                for s, e in problems
            )
            with transaction.atomic():
                task_flag(task, reason=f"Publishing problem — {reason}"[:2000])
                task_publish_problem_notify(task_id=task.pk)
