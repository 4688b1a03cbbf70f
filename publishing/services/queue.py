"""Posting slots and the queue (specs/publishing.md §3): each connection has weekly posting
times (`PostingSlot`, a wall time in a zone); "add to queue" schedules to the next free slot of
each connection from now: free means no other live target of that connection at that moment
and budget left that quota day. The slot's wall time is turned into UTC for its own date
(`local_time_to_utc`), so a 09:00 Europe/Berlin slot is 09:00 local on both sides of a DST
change; a slot time skipped by a DST change is skipped that day.

Connections whose next free slot is the same moment share one post; the others get a post each.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone as dj_timezone

from core.errors import DomainError

from ..models import MediaAsset, PostingSlot, PublishTarget, ScheduledPost, SocialConnection
from ..queries import connection_budgets, platform_quota_day
from .compose import scheduled_post_compose
from .scheduling import local_time_to_utc
from .target_options import target_options_validate

_NOT_TAKING = ("cancelled", "failed")


@dataclass(frozen=True)
class SlotTime:
    """One occurrence of a posting slot: the UTC moment, and the wall time in the slot's zone."""

    moment: datetime
    local_time: datetime
    timezone: str


def slot_occurrences(slots: Sequence[PostingSlot], *, now: datetime, days: int) -> list[SlotTime]:
    """Every occurrence of `slots` after `now` within `days`, earliest first."""
    found: list[SlotTime] = []
    for slot in slots:
        today = now.astimezone(ZoneInfo(slot.timezone)).date()
        first = today + timedelta(days=(slot.weekday - today.weekday()) % 7)
        for week in range(days // 7 + 2):
            local = datetime.combine(first + timedelta(weeks=week), slot.local_time)
            try:
                moment = local_time_to_utc(local, slot.timezone)
            except DomainError:
                continue  # skipped by a DST change that night
            if now < moment <= now + timedelta(days=days):
                found.append(SlotTime(moment, local, slot.timezone))
    return sorted(found, key=lambda s: (s.moment, s.timezone))


def connections_next_free_slots(
    connections: Sequence[SocialConnection], *, now: datetime | None = None
) -> dict[int, SlotTime]:
    """The next free slot of each connection (a bounded number of queries: slots, taken times,
    budgets). Raises DomainError naming the connections without a slot or without a free one
    within PUBLISH_QUEUE_HORIZON_DAYS."""
    now = now or dj_timezone.now()
    days = settings.PUBLISH_QUEUE_HORIZON_DAYS
    slots: dict[int, list[PostingSlot]] = defaultdict(list)
    for slot in PostingSlot.objects.filter(connection__in=[c.pk for c in connections]):
        slots[slot.connection_id].append(slot)
    missing = [c for c in connections if not slots[c.pk]]
    if missing:
        raise DomainError(
            "No posting slots for: "
            + ", ".join(str(c.account) for c in missing)
            + ". Add weekly slots to these accounts first, or pick a time.",
            code="no_posting_slots",
            fields={"connections": {str(c.pk): ["No posting slots."] for c in missing}},
        )
    occurrences = {c.pk: slot_occurrences(slots[c.pk], now=now, days=days) for c in connections}
    taken = set(
        PublishTarget.objects.filter(
            connection__in=[c.pk for c in connections],
            post__scheduled_at__gt=now,
            post__scheduled_at__lte=now + timedelta(days=days + 1),
        )
        .exclude(state__in=_NOT_TAKING)
        .values_list("connection_id", "post__scheduled_at")
    )
    quota_days = {
        platform_quota_day(c.platform, o.moment) for c in connections for o in occurrences[c.pk]
    }
    budgets = connection_budgets(connections=connections, days=quota_days)
    chosen: dict[int, SlotTime] = {}
    for connection in connections:
        for occurrence in occurrences[connection.pk]:
            budget = budgets[
                (connection.pk, platform_quota_day(connection.platform, occurrence.moment))
            ]
            if (connection.pk, occurrence.moment) not in taken and budget.remaining > 0:
                chosen[connection.pk] = occurrence
                break
    full = [c for c in connections if c.pk not in chosen]
    if full:
        raise DomainError(
            f"No free posting slot in the next {days} days for: "
            + ", ".join(str(c.account) for c in full)
            + ". Add slots or pick a time.",
            code="queue_full",
            fields={"connections": {str(c.pk): ["No free slot."] for c in full}},
        )
    return chosen


@transaction.atomic
def scheduled_post_queue(
    *,
    connections: Sequence[SocialConnection],
    user,
    caption: str = "",
    media: Sequence[MediaAsset] = (),
    title: str = "",
    hashtags: Sequence[str] = (),
    options: dict[str, Any] | None = None,
    target_options: dict[int, dict[str, Any]] | None = None,
    now: datetime | None = None,
) -> list[ScheduledPost]:
    """Add a post to the queue: each connection's next free slot. Returns the posts created
    (one per distinct slot moment), earliest first."""
    connections = list(dict.fromkeys(connections))
    if not connections:
        raise DomainError("Choose at least one account to publish to.")
    # Every account's options checked before any post is made (one bad option, no post).
    target_options_validate(connections=connections, target_options=target_options)
    chosen = connections_next_free_slots(connections, now=now)
    groups: dict[SlotTime, list[SocialConnection]] = defaultdict(list)
    for connection in connections:
        groups[chosen[connection.pk]].append(connection)
    posts = []
    for slot_time in sorted(groups, key=lambda s: (s.moment, s.timezone)):
        group = groups[slot_time]
        ids = {c.pk for c in group}
        posts.append(
            scheduled_post_compose(
                caption=caption,
                media=media,
                connections=group,
                local_time=slot_time.local_time,
                timezone=slot_time.timezone,
                created_by=user,
                title=title,
                hashtags=hashtags,
                options=options,
                target_options={k: v for k, v in (target_options or {}).items() if k in ids},
                now=now,
            )
        )
    return posts
