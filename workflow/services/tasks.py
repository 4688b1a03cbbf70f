"""Content tasks: creation and THE move service (the rules are workflow/moves.py).

Positions are dense per column (0, 1, 2…). Every move locks the `ColumnLock` rows of the
columns it touches, in column order, before reading positions: two people moving cards at
once wait for each other and never compute the same place (the unique constraint on
(column, position) is the last guard). Shifts go through negative values so the constraint
holds after every row on SQLite and PostgreSQL alike.
"""

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from core.errors import ConflictError, DomainError, NotFoundError
from publishing.choices import TargetState
from publishing.models import PublishTarget
from settings_app.access import tasks_visible_to

from ..choices import Column, MoveVia
from ..errors import MoveRefused
from ..models import Asset, CaptionVersion, ColumnLock, ContentTask, TaskMove
from ..moves import capacities_of, refusal
from .notify import task_moved_notify
from .scheduling import task_schedule_post, task_unschedule_post

# Where a moving card waits while its neighbours shift (no real position is this low).
_PARKED = -(2**30)


def _lock_columns(columns: Iterable[str]) -> None:
    wanted = sorted(set(columns))
    ColumnLock.objects.bulk_create([ColumnLock(column=c) for c in wanted], ignore_conflicts=True)
    # Evaluated: the rows are locked now, always in the same order (no deadlock).
    list(ColumnLock.objects.select_for_update().filter(column__in=wanted).order_by("column"))


def _shift(column: str, *, first: int, last: int | None, delta: int) -> None:
    """Add `delta` to the positions first..last (last None: to the end) of `column`."""
    rows = ContentTask.objects.filter(column=column, position__gte=first)
    if last is not None:
        rows = rows.filter(position__lte=last)
    # Two steps, each keeping (column, position) unique at every row.
    rows.update(position=-(F("position") + delta) - 1)
    ContentTask.objects.filter(column=column, position__lt=0, position__gt=_PARKED).update(
        position=-F("position") - 1
    )


def _column_end(column: str) -> int:
    """The place after the column's last card (its size while positions are dense)."""
    last = ContentTask.objects.filter(column=column, position__gte=0).aggregate(m=Max("position"))
    return 0 if last["m"] is None else last["m"] + 1


def _column_size(column: str) -> int:
    return ContentTask.objects.filter(column=column, position__gte=0).count()


@transaction.atomic
def task_create(
    *,
    creator,
    title: str,
    platform: str,
    created_by=None,
    campaign=None,
    deliverable=None,
    assignee=None,
    description: str = "",
    due_at: datetime | None = None,
    target_accounts: Iterable = (),
) -> ContentTask:
    """A new task at the end of the Backlog, with its first timeline entry."""
    _lock_columns([Column.BACKLOG])
    task = ContentTask(
        creator=creator,
        title=title,
        platform=platform,
        campaign=campaign,
        deliverable=deliverable,
        assignee=assignee,
        description=description,
        due_at=due_at,
        column=Column.BACKLOG,
        position=_column_end(Column.BACKLOG),
        created_by=created_by,
    )
    task.full_clean()
    task.save()
    if target_accounts:
        task.target_accounts.set(target_accounts)
    TaskMove.objects.create(
        task=task, actor=created_by, via=MoveVia.SYSTEM, to_column=Column.BACKLOG, note="Created"
    )
    return task


TASK_UPDATABLE = (
    "title",
    "description",
    "assignee",
    "platform",
    "due_at",
    "campaign",
    "deliverable",
)


@transaction.atomic
def task_update(task: ContentTask, *, target_accounts=None, **changes) -> ContentTask:
    """Edit a task's fields (never its column or position: those move through task_move)."""
    unknown = set(changes) - set(TASK_UPDATABLE)
    if unknown:
        raise DomainError(f"These fields cannot be edited here: {', '.join(sorted(unknown))}.")
    for name, value in changes.items():
        setattr(task, name, value)
    task.full_clean(exclude=["column", "position"])
    if changes:
        task.save(update_fields=[*changes, "updated_at"])
    if target_accounts is not None:
        task.target_accounts.set(target_accounts)
    return task


def _check_preconditions(task: ContentTask, to: Column, note: str) -> None:
    """The rules a move needs besides who makes it."""
    if to == Column.SUBMITTED:
        latest_asset = Asset.objects.filter(task=task).aggregate(at=Max("created_at"))["at"]
        latest_caption = CaptionVersion.objects.filter(task=task).aggregate(at=Max("created_at"))[
            "at"
        ]
        if latest_asset is None or latest_caption is None:
            raise MoveRefused(
                "“Submit” needs a draft (an uploaded asset) and a caption version first."
            )
        if task.column == Column.NEEDS_CHANGES:
            asked = TaskMove.objects.filter(task=task, to_column=Column.NEEDS_CHANGES).aggregate(
                at=Max("at")
            )["at"]
            if asked and max(latest_asset, latest_caption) <= asked:
                raise MoveRefused(
                    "“Submit again” needs a new draft or caption version since the changes "
                    "were asked for."
                )
    if to == Column.PUBLISHED:
        live = PublishTarget.objects.filter(post_id=task.scheduled_post_id).exclude(
            state=TargetState.CANCELLED
        )
        if not task.scheduled_post_id or live.exclude(state=TargetState.PUBLISHED).exists():
            raise MoveRefused("“Published” needs every target of the task's post published.")
    if to == Column.NEEDS_CHANGES and not note.strip():
        raise MoveRefused("“Ask for changes” needs a note saying what to change.")


def _place(task: ContentTask, to: Column, position: int | None) -> None:
    """Move `task` to `position` of column `to` (None: the end), keeping both columns dense."""
    source, old = task.column, task.position
    ContentTask.objects.filter(pk=task.pk).update(column=to, position=_PARKED)
    if source == to:
        size = _column_size(to) + 1  # the parked card counts
        new = size - 1 if position is None else max(0, min(position, size - 1))
        if new < old:
            _shift(to, first=new, last=old - 1, delta=1)
        elif new > old:
            _shift(to, first=old + 1, last=new, delta=-1)
    else:
        _shift(source, first=old + 1, last=None, delta=-1)
        size = _column_size(to)
        new = size if position is None else max(0, min(position, size))
        _shift(to, first=new, last=None, delta=1)
    ContentTask.objects.filter(pk=task.pk).update(position=new, updated_at=timezone.now())
    task.column, task.position = to, new


def task_move(
    *,
    task: ContentTask,
    to: str,
    actor,
    note: str = "",
    position: int | None = None,
    via: str | None = None,
    scheduled_at: datetime | None = None,
    publish_now: bool = False,
) -> ContentTask:
    """Move `task` to column `to` (at `position`, default the end) as `actor` (None for the
    review link and the publisher, told by `via`), or reorder it within its column.

    Raises MoveRefused naming the rule of workflow/moves.py that refuses the move, NotFoundError
    when `actor` cannot see the task, ConflictError when someone moved it a moment before.
    Approved → Scheduled schedules the task's latest draft and caption (at `scheduled_at`, or
    now with `publish_now`)."""
    try:
        to = Column(to)
    except ValueError as error:
        raise DomainError(
            f"“{to}” is not a column.", fields={"to": [f"One of: {', '.join(Column.values)}."]}
        ) from error
    via = via or MoveVia.ADMIN
    if position is not None and position < 0:
        raise DomainError("A position is 0 or more.", fields={"position": ["0 or more."]})
    seen_column = task.column
    with transaction.atomic():
        _lock_columns([seen_column, to])
        visible = ContentTask.objects.select_related("creator")
        if actor is not None and via not in (MoveVia.REVIEW_LINK, MoveVia.PUBLISHER):
            visible = tasks_visible_to(actor, visible)
        current = visible.select_for_update(of=("self",)).filter(pk=task.pk).first()
        if current is None:
            raise NotFoundError("No such task, or you may not see it.")
        if current.column != seen_column:
            raise ConflictError(
                f"Someone moved this task to {current.get_column_display()} a moment ago: "
                "look again before moving it."
            )
        if current.column == to:
            if not capacities_of(actor, current, via=via):
                raise MoveRefused("You may not reorder this task.")
            _place(current, to, position)
        else:
            why = refusal(current.column, to, capacities_of(actor, current, via=via))
            if why:
                raise MoveRefused(why)
            _check_preconditions(current, to, note)
            _side_effects(
                current, to, actor=actor, scheduled_at=scheduled_at, publish_now=publish_now
            )
            from_column = current.column
            _place(current, to, position)
            move = TaskMove.objects.create(
                task=current,
                actor=actor if getattr(actor, "pk", None) else None,
                via=via,
                from_column=from_column,
                to_column=to,
                note=note.strip(),
            )
            task_moved_notify(move)
    task.column, task.position = current.column, current.position
    task.scheduled_post_id = current.scheduled_post_id
    task.flagged, task.flag_reason = current.flagged, current.flag_reason
    return current


def _side_effects(task: ContentTask, to: Column, *, actor, scheduled_at, publish_now) -> None:
    if to == Column.SCHEDULED:
        task_schedule_post(task, actor=actor, scheduled_at=scheduled_at, publish_now=publish_now)
    elif task.column == Column.SCHEDULED and to in (Column.APPROVED, Column.CANCELLED):
        task_unschedule_post(task)
    if to == Column.PUBLISHED and task.flagged:
        task.flagged, task.flag_reason = False, ""
        ContentTask.objects.filter(pk=task.pk).update(flagged=False, flag_reason="")


def task_flag(task: ContentTask, *, reason: str) -> None:
    ContentTask.objects.filter(pk=task.pk).update(
        flagged=True, flag_reason=reason, updated_at=timezone.now()
    )


def tasks_visible_or_404(user, pk: int) -> ContentTask:
    task = (
        tasks_visible_to(user, ContentTask.objects.select_related("creator")).filter(pk=pk).first()
    )
    if task is None:
        raise NotFoundError("No such task, or you may not see it.")
    return task


__all__ = [
    "MoveRefused",
    "task_create",
    "task_flag",
    "task_move",
    "task_update",
    "tasks_visible_or_404",
]
