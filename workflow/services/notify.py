"""Who hears about a move (specs/workflow.md "Notifications"). Sent after commit, once per
move and user (the key is the move's id)."""

from hashlib import sha1

from notifications.choices import NotificationKind
from notifications.services import notify
from publishing.choices import TargetState

from ..choices import Column
from ..models import TaskMove

_KIND_BY_COLUMN = {
    Column.SUBMITTED: NotificationKind.SUBMITTED,
    Column.NEEDS_CHANGES: NotificationKind.NEEDS_CHANGES,
    Column.APPROVED: NotificationKind.APPROVED,
    Column.SCHEDULED: NotificationKind.SCHEDULED,
    Column.PUBLISHED: NotificationKind.PUBLISHED,
}


def _recipients(move: TaskMove) -> list:
    task = move.task
    creator_user = task.creator.user
    staff = [u for u in (task.assignee, task.created_by) if u is not None]
    if move.to_column == Column.SUBMITTED:
        people = staff
    elif move.to_column == Column.NEEDS_CHANGES:
        people = [creator_user]
    else:
        people = [creator_user, *staff]
    unique = {u.pk: u for u in people if u is not None and u.is_active}
    unique.pop(getattr(move.actor, "pk", None), None)  # not told about one's own move
    return list(unique.values())


def task_moved_notify(move: TaskMove) -> None:
    """Tell the people concerned about `move` (inside its transaction: notifications are
    written with it and delivered by e-mail or Slack after commit)."""
    kind = _KIND_BY_COLUMN.get(move.to_column)
    if kind is None:
        return
    from_column, to_column = move.from_column, move.to_column
    users = _recipients(move)
    if not users:
        return
    text = f"“{move.task.title}”: {Column(from_column).label} → {Column(to_column).label}"
    if move.note:
        text += f" — {move.note}"
    notify(
        users,
        kind=kind,
        text=text[:500],
        obj=move.task,
        key=f"workflow-move-{move.pk}",
    )


def task_publish_problem_notify(*, task_id: int) -> None:
    """A target failed or is unconfirmed: the staff who follow the task hear it once per reason."""
    from ..models import ContentTask

    task = ContentTask.objects.select_related("assignee", "created_by").filter(pk=task_id).first()
    if task is None or not task.flagged:
        return
    users = {u.pk: u for u in (task.assignee, task.created_by) if u is not None and u.is_active}
    if not users:
        return
    unconfirmed = str(TargetState.UNCONFIRMED.label) in task.flag_reason
    notify(
        list(users.values()),
        kind=NotificationKind.PUBLISH_UNCONFIRMED
        if unconfirmed
        else NotificationKind.PUBLISH_FAILED,
        text=f"“{task.title}”: {task.flag_reason}"[:500],
        obj=task,
        key=f"workflow-publish-problem-{task.pk}-{sha1(task.flag_reason.encode()).hexdigest()[:12]}",
    )
