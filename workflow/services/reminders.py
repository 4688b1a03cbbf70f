"""Due-date reminders (specs/workflow.md "Notifications": due in 24 h, overdue), for the
`remind_due_tasks` job. Each task is reminded once per due time: the claim writes the due time
it reminds for (compare-and-set, SKIP LOCKED where the database has it) in the same transaction
as the notifications, and notify is idempotent by key, so a rerun never tells anyone twice."""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from core.jobs import WorkReport
from notifications.choices import NotificationKind
from notifications.services import notify

from ..choices import OPEN_COLUMNS
from ..models import ContentTask

DUE_SOON = timedelta(hours=24)
BATCH = 200


def _not_reminded(field: str) -> Q:
    return Q(**{f"{field}__isnull": True}) | ~Q(**{field: F("due_at")})


def _remind(
    *, now: datetime, window: Q, field: str, kind: str, label: str, report: WorkReport
) -> int:
    free = Q(column__in=OPEN_COLUMNS) & window & _not_reminded(field)
    with transaction.atomic():
        ids = list(
            ContentTask.objects.filter(free)
            .select_for_update(skip_locked=True)
            .order_by("due_at", "id")
            .values_list("pk", flat=True)[:BATCH]
        )
        if not ids:
            return 0
        ContentTask.objects.filter(free, pk__in=ids).update(**{field: F("due_at")})
        tasks = ContentTask.objects.filter(pk__in=ids).select_related("creator__user", "assignee")
        for task in tasks:
            users = [u for u in (task.creator.user, task.assignee) if u and u.is_active]
            if users:
                notify(
                    users,
                    kind=kind,
                    text=f"“{task.title}” {label} {task.due_at:%Y-%m-%d %H:%M} UTC.",
                    obj=task,
                    key=f"workflow-{kind}-{task.pk}-{task.due_at:%Y%m%dT%H%M%S}",
                )
            report.ok += 1
    return len(ids)


def tasks_remind_due(*, now: datetime | None = None) -> WorkReport:
    """Tell the creator and the assignee of each open task due within 24 h, and of each
    overdue one; returns the counts (tasks reminded)."""
    now = now or timezone.now()
    report = WorkReport(kind="task_reminder")
    soon = Q(due_at__gt=now, due_at__lte=now + DUE_SOON)
    late = Q(due_at__lte=now)
    for window, field, kind, label in (
        (soon, "reminded_due_soon_for", NotificationKind.DUE_SOON, "is due on"),
        (late, "reminded_overdue_for", NotificationKind.OVERDUE, "is overdue since"),
    ):
        while _remind(now=now, window=window, field=field, kind=kind, label=label, report=report):
            pass
    return report
