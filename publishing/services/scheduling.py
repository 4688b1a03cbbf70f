"""Scheduling (specs/publishing.md §3): create, reschedule, edit, cancel and retry posts.

Times: the user picks a local wall time in an IANA zone; we store UTC computed with zoneinfo
and keep the zone, so a 09:00 Europe/Berlin post is 09:00 local on both sides of a DST change.
A local time that does not exist (clocks go forward) is refused with the first valid time; a
local time that happens twice (clocks go back) is the first of the two (summer time), unless
the caller passes `fold=1` for the second.

Editing or cancelling is allowed until a target is claimed: the change updates the targets
with a compare-and-set on their waiting state in the same transaction, so a publisher claiming
at the same moment either sees the edit or makes the edit fail, never half of it.
"""

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import transaction
from django.utils import timezone as dj_timezone

from core.errors import ConflictError, DomainError

from ..choices import WAITING_STATES, ConnectionStatus, TargetState
from ..models import MediaAsset, PublishTarget, ScheduledPost, ScheduledPostMedia, SocialConnection
from ..queries import connections_schedulable_by
from ..validation import scheduled_post_check

# A post may be scheduled this little in the past (the form took a moment to submit).
PAST_TOLERANCE = timedelta(minutes=1)


def local_time_to_utc(local_time: datetime, zone_name: str, *, fold: int = 0) -> datetime:
    """The UTC moment of the wall time `local_time` (naive) in the zone `zone_name`.

    Raises DomainError for an unknown zone, an aware `local_time`, or a wall time that does
    not exist in that zone (skipped by a DST change). An ambiguous wall time (repeated by a DST
    change) is its first occurrence with fold=0, its second with fold=1."""
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise DomainError(
            f"“{zone_name}” is not a time zone name (e.g. Europe/Berlin).",
            fields={"timezone": ["Unknown time zone."]},
        ) from error
    if local_time.tzinfo is not None:
        raise DomainError("The local time must be a wall time, without a UTC offset.")
    moment = local_time.replace(tzinfo=zone, fold=fold)
    in_utc = moment.astimezone(UTC)
    same_moment = in_utc.astimezone(zone).replace(tzinfo=None)
    if same_moment != local_time:
        raise DomainError(
            f"{local_time:%H:%M} on {local_time:%Y-%m-%d} does not exist in {zone_name}: the "
            f"clocks jump forward that night. Pick {same_moment:%H:%M} (the same moment) or "
            "another time.",
            code="nonexistent_local_time",
            fields={"local_time": ["This local time is skipped by a daylight-saving change."]},
        )
    return in_utc


def _check_future(scheduled_at: datetime, now: datetime | None) -> None:
    if scheduled_at < (now or dj_timezone.now()) - PAST_TOLERANCE:
        raise DomainError(
            "The scheduled time is in the past.", fields={"local_time": ["In the past."]}
        )


def _check_connections(connections: Sequence[SocialConnection], user) -> None:
    if not connections:
        raise DomainError("Choose at least one account to publish to.")
    allowed = set(
        connections_schedulable_by(user)
        .filter(pk__in=[c.pk for c in connections])
        .values_list("pk", flat=True)
    )
    refused = [c for c in connections if c.pk not in allowed]
    if refused:
        raise DomainError(
            "You may not schedule posts for: " + ", ".join(str(c.account) for c in refused) + ".",
            code="permission_denied",
        )
    unusable = [c for c in connections if c.status != ConnectionStatus.CONNECTED]
    if unusable:
        raise DomainError(
            "Reconnect before scheduling: "
            + ", ".join(f"{c.account} ({c.get_status_display()})" for c in unusable)
            + "."
        )


@transaction.atomic
def scheduled_post_create(
    *,
    caption: str,
    media: Sequence[MediaAsset],
    connections: Sequence[SocialConnection],
    local_time: datetime,
    timezone: str,
    created_by,
    title: str = "",
    hashtags: Sequence[str] = (),
    options: dict[str, Any] | None = None,
    target_options: dict[int, dict[str, Any]] | None = None,
    fold: int = 0,
    now: datetime | None = None,
) -> ScheduledPost:
    """Schedule `caption` and `media` (in order) to each of `connections` at the wall time
    `local_time` in `timezone`. `target_options` maps a connection id to its own options
    (privacy level, first comment…). One target per connection, all due at the same moment."""
    scheduled_at = local_time_to_utc(local_time, timezone, fold=fold)
    _check_future(scheduled_at, now)
    connections = list(dict.fromkeys(connections))
    _check_connections(connections, created_by)
    media = list(dict.fromkeys(media))
    scheduled_post_check(
        connections=connections,
        caption=caption,
        title=title,
        hashtags=hashtags,
        media=media,
        options=options,
    )
    post = ScheduledPost(
        caption=caption,
        title=title,
        hashtags=list(hashtags),
        scheduled_at=scheduled_at,
        timezone=timezone,
        created_by=created_by if getattr(created_by, "pk", None) else None,
        options=options or {},
    )
    post.full_clean()
    post.save()
    ScheduledPostMedia.objects.bulk_create(
        ScheduledPostMedia(post=post, asset=asset, position=position)
        for position, asset in enumerate(media)
    )
    PublishTarget.objects.bulk_create(
        PublishTarget(
            post=post,
            connection=connection,
            options=(target_options or {}).get(connection.pk, {}),
            state=TargetState.SCHEDULED,
            next_attempt_at=scheduled_at,
        )
        for connection in connections
    )
    return post


def _targets_hold(post: ScheduledPost, **changes) -> None:
    """Compare-and-set on every live target of `post`: each must still wait (not claimed);
    they are updated (and so locked until the transaction ends) or nothing is."""
    live = PublishTarget.objects.filter(post=post).exclude(state=TargetState.CANCELLED)
    expected = live.count()
    held = live.filter(state__in=WAITING_STATES).update(updated_at=dj_timezone.now(), **changes)
    if held != expected:
        raise ConflictError(
            "This post is already being published (or was): it can no longer be edited or "
            "cancelled. Retry its failed targets instead."
        )


@transaction.atomic
def scheduled_post_reschedule(
    post: ScheduledPost,
    *,
    local_time: datetime,
    timezone: str | None = None,
    fold: int = 0,
    now: datetime | None = None,
) -> ScheduledPost:
    """Move `post` to the wall time `local_time` in `timezone` (default: the post's zone)."""
    zone = timezone or post.timezone
    scheduled_at = local_time_to_utc(local_time, zone, fold=fold)
    _check_future(scheduled_at, now)
    _targets_hold(post, next_attempt_at=scheduled_at)
    post.scheduled_at, post.timezone = scheduled_at, zone
    post.save(update_fields=["scheduled_at", "timezone", "updated_at"])
    return post


EDITABLE_FIELDS = ("caption", "title", "hashtags", "options")


@transaction.atomic
def scheduled_post_update(post: ScheduledPost, **changes: Any) -> ScheduledPost:
    """Change the caption, title, hashtags or options of a post no target of which is claimed."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise DomainError(f"These fields cannot be edited here: {', '.join(sorted(unknown))}.")
    _targets_hold(post)
    for name, value in changes.items():
        setattr(post, name, value)
    scheduled_post_check(
        connections=SocialConnection.objects.filter(
            pk__in=post.targets.exclude(state=TargetState.CANCELLED).values("connection_id")
        ),
        caption=post.caption,
        title=post.title,
        hashtags=post.hashtags,
        media=[item.asset for item in post.media_items.select_related("asset")],
        options=post.options,
        # Text rules mix the fields (hashtags of the caption count): one edit checks them all.
        only_fields={"caption", "title", "hashtags"} if set(changes) - {"options"} else (),
    )
    post.full_clean()
    post.save(update_fields=[*changes, "updated_at"])
    return post


@transaction.atomic
def scheduled_post_cancel(post: ScheduledPost) -> int:
    """Cancel every target of `post`, if none is claimed yet. Returns the targets cancelled."""
    live = PublishTarget.objects.filter(post=post).exclude(state=TargetState.CANCELLED)
    count = live.count()
    _targets_hold(post, state=TargetState.CANCELLED, lease_until=None)
    return count


def scheduled_post_retry_failed(post: ScheduledPost, *, now: datetime | None = None) -> int:
    """Schedule again the failed targets of `post` only (published, unconfirmed and waiting
    targets are left alone: no second post where one went out or may have). A failed target
    never started its commit, so nothing of it is on the platform. Returns how many."""
    return PublishTarget.objects.filter(
        post=post, state=TargetState.FAILED, commit_started_at__isnull=True
    ).update(
        state=TargetState.SCHEDULED,
        next_attempt_at=now or dj_timezone.now(),
        retries=0,
        error_class="",
        error="",
        updated_at=dj_timezone.now(),
    )


def connection_targets_resume(connection: SocialConnection, *, now: datetime | None = None) -> int:
    """After a reconnect: the targets that waited for it are due again."""
    return PublishTarget.objects.filter(
        connection=connection, state=TargetState.NEEDS_REAUTH
    ).update(state=TargetState.SCHEDULED, next_attempt_at=now or dj_timezone.now())


@transaction.atomic
def scheduled_post_publish_now(post: ScheduledPost, *, now: datetime | None = None) -> int:
    """Publish `post` at the publisher's next run: its scheduled targets become due now (the
    post's zone is kept). Allowed only while no target is claimed. Returns the targets moved."""
    moment = now or dj_timezone.now()
    _targets_hold(post)
    moved = PublishTarget.objects.filter(post=post, state=TargetState.SCHEDULED).update(
        next_attempt_at=moment, updated_at=moment
    )
    if not moved:
        raise ConflictError(
            "This post has no scheduled target to publish now (cancelled, or waiting for a "
            "quota window or a reconnect)."
        )
    post.scheduled_at = moment
    post.save(update_fields=["scheduled_at", "updated_at"])
    return moved
