"""Who hears about a move (specs/workflow.md "Notifications"). Sent after commit, once per
move and user (the key is the move's id)."""

from hashlib import sha1

from ..choices import Column
from ..models import TaskMove

try:  # the notifications app lands beside workflow; until then moves notify nobody.
    from notifications.choices import NotificationKind
    from notifications.services import notify
except ImportError:  # pragma: no cover
    NotificationKind = notify = None

_KIND_BY_COLUMN = {
    Column.SUBMITTED: "SUBMITTED",
    Column.NEEDS_CHANGES: "NEEDS_CHANGES",
    Column.APPROVED: "APPROVED",
    Column.SCHEDULED: "SCHEDULED",
    Column.PUBLISHED: "PUBLISHED",
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


def task_moved_notify(*, task_id: int, from_column: str, to_column: str) -> None:
    kind_name = _KIND_BY_COLUMN.get(to_column)
    if notify is None or kind_name is None:
        return
    move = (
        TaskMove.objects.select_related(
            "task__creator__user", "task__assignee", "task__created_by", "actor"
        )
        .filter(task_id=task_id, to_column=to_column)
        .order_by("-at", "-id")
        .first()
    )
    if move is None:
        return
    users = _recipients(move)
    if not users:
        return
    text = f"“{move.task.title}”: {Column(from_column).label} → {Column(to_column).label}"
    if move.note:
        text += f" — {move.note}"
    notify(
        users,
        kind=getattr(NotificationKind, kind_name),
        text=text,
        obj=move.task,
        key=f"workflow-move-{move.pk}",
    )


def task_publish_problem_notify(*, task_id: int) -> None:
    """A target failed or is unconfirmed: the staff who follow the task hear it once per reason."""
    if notify is None:
        return
    from ..models import ContentTask

    task = ContentTask.objects.select_related("assignee", "created_by").filter(pk=task_id).first()
    if task is None or not task.flagged:
        return
    users = {u.pk: u for u in (task.assignee, task.created_by) if u is not None and u.is_active}
    if not users:
        return
    kind = "PUBLISH_UNCONFIRMED" if "Unconfirmed" in task.flag_reason else "PUBLISH_FAILED"
    notify(
        list(users.values()),
        kind=getattr(NotificationKind, kind),
        text=f"“{task.title}”: {task.flag_reason}",
        obj=task,
        key=f"workflow-publish-problem-{task.pk}-{sha1(task.flag_reason.encode()).hexdigest()[:12]}",
    )
