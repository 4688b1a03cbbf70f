"""Approved → Scheduled: the task's latest draft and caption become a publishing.ScheduledPost
on its target accounts' connections (specs/workflow.md, specs/publishing.md §3)."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.db.models import Max
from django.utils import timezone

from publishing.choices import ConnectionStatus
from publishing.models import SocialConnection
from publishing.services.compose import scheduled_post_compose
from publishing.services.scheduling import scheduled_post_cancel, scheduled_post_publish_now

from ..choices import AssetKind
from ..errors import MoveRefused
from ..models import Asset, CaptionVersion, ContentTask


def _refused(message: str) -> MoveRefused:
    return MoveRefused(message)


def task_latest_media(task: ContentTask) -> list:
    """The media of the task's latest submission, in upload order (thumbnails aside)."""
    latest = Asset.objects.filter(task=task).aggregate(v=Max("version"))["v"]
    if latest is None:
        return []
    rows = (
        Asset.objects.filter(task=task, version=latest)
        .exclude(kind=AssetKind.THUMBNAIL)
        .select_related("media")
        .order_by("id")
    )
    return [row.media for row in rows]


def task_connections(task: ContentTask) -> list[SocialConnection]:
    """One usable connection per target account (a connected one first)."""
    accounts = list(task.target_accounts.all())
    if not accounts:
        raise _refused("“Schedule” needs the task's target accounts: choose them first.")
    chosen: dict[int, SocialConnection] = {}
    connections = SocialConnection.objects.filter(account__in=accounts).select_related("account")
    for connection in connections.order_by("account_id", "id"):
        best = chosen.get(connection.account_id)
        if best is None or (
            best.status != ConnectionStatus.CONNECTED
            and connection.status == ConnectionStatus.CONNECTED
        ):
            chosen[connection.account_id] = connection
    missing = [a for a in accounts if a.pk not in chosen]
    if missing:
        raise _refused(
            "“Schedule” needs a publishing connection for every target account; none for: "
            + ", ".join(str(a) for a in missing)
            + "."
        )
    return [chosen[a.pk] for a in accounts]


def task_schedule_post(
    task: ContentTask, *, actor, scheduled_at: datetime | None, publish_now: bool
) -> None:
    """Create the ScheduledPost of `task` (inside task_move's transaction)."""
    media = task_latest_media(task)
    caption = CaptionVersion.objects.filter(task=task).order_by("-number").first()
    if not media or caption is None:
        raise _refused("“Schedule” needs a draft and a caption version.")
    connections = task_connections(task)
    now = timezone.now()
    moment = now if publish_now else scheduled_at
    if moment is None:
        if task.due_at and task.due_at > now:
            moment = task.due_at
        else:
            raise _refused(
                "“Schedule” needs a publication time (the task has no due date ahead): "
                "choose a time or post now."
            )
    zone = task.creator.timezone or "UTC"
    local = moment.astimezone(ZoneInfo(zone))
    # Publishing's one path: each account's options and daily budget are checked as in the
    # composer and the API.
    post = scheduled_post_compose(
        caption=caption.text,
        hashtags=caption.hashtags,
        title=task.title[:200],
        media=media,
        connections=connections,
        local_time=local.replace(tzinfo=None),
        fold=local.fold,
        timezone=zone,
        created_by=actor,
        now=now,
    )
    if publish_now:
        scheduled_post_publish_now(post, now=now)
    task.scheduled_post = post
    ContentTask.objects.filter(pk=task.pk).update(
        scheduled_post=post, flagged=False, flag_reason=""
    )


def task_unschedule_post(task: ContentTask) -> None:
    """Scheduled → Approved or Cancelled: cancel the post while no target is claimed."""
    if task.scheduled_post_id:
        scheduled_post_cancel(task.scheduled_post)
    task.scheduled_post = None
    ContentTask.objects.filter(pk=task.pk).update(scheduled_post=None)
