"""Scheduling with the rules around it, one path for the API, the composer, the queue and the CSV
import: per-target options checked per platform, then each connection's daily budget, then
`scheduling.scheduled_post_create` (and its own checks).

Budgets (queries.connection_budgets): a slot beyond a connection's budget for that quota day is
refused with `quota_exceeded` naming the connection, the day and the budget, unless the caller
sends `allow_over_quota` (the publisher then defers what the platform refuses)."""

from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import transaction

from core.errors import DomainError

from ..models import MediaAsset, ScheduledPost, SocialConnection
from ..queries import Budget, connection_budgets, platform_quota_day
from .scheduling import local_time_to_utc, scheduled_post_create, scheduled_post_reschedule
from .target_options import target_options_validate


class QuotaExceeded(DomainError):
    code = "quota_exceeded"


def budget_check(
    *,
    connections: Sequence[SocialConnection],
    scheduled_at: datetime,
    exclude_post: ScheduledPost | None = None,
) -> list[Budget]:
    """Refuse (QuotaExceeded) a post at `scheduled_at` to `connections` when one of them has no
    budget left that quota day; returns the budgets read. A YouTube budget is the project's:
    every YouTube destination of the post spends one upload of it."""
    days = {c.pk: platform_quota_day(c.platform, scheduled_at) for c in connections}
    budgets = connection_budgets(
        connections=connections, days=set(days.values()), exclude_post=exclude_post
    )
    mine = [budgets[(c.pk, days[c.pk])] for c in connections]
    project_spend = Counter(b.platform for b in mine if b.scope == "project")
    over = [
        (c, b)
        for c, b in zip(connections, mine, strict=True)
        if b.used + (project_spend[b.platform] if b.scope == "project" else 1) > b.limit
    ]
    if over:
        names = "; ".join(
            f"{c.account} on {c.get_platform_display()}: {b.used} of {b.limit} "
            f"{'uploads for the project' if b.scope == 'project' else 'posts'} on {b.day:%Y-%m-%d}"
            f" ({b.zone} day)"
            for c, b in over
        )
        raise QuotaExceeded(
            f"Over the daily budget: {names}. Pick another day, or send allow_over_quota to "
            "schedule anyway (the publisher waits for the quota window).",
            fields={
                "local_time": ["Beyond the daily budget of an account."],
                "connections": {
                    str(c.pk): [f"{b.used}/{b.limit} on {b.day:%Y-%m-%d}"] for c, b in over
                },
            },
        )
    return mine


@transaction.atomic
def scheduled_post_compose(
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
    allow_over_quota: bool = False,
    now: datetime | None = None,
) -> ScheduledPost:
    """Schedule a post like `scheduled_post_create`, after checking each target's options for
    its platform and, unless `allow_over_quota`, each connection's budget that day."""
    connections = list(dict.fromkeys(connections))
    cleaned = target_options_validate(connections=connections, target_options=target_options)
    if not allow_over_quota and connections:
        budget_check(
            connections=connections,
            scheduled_at=local_time_to_utc(local_time, timezone, fold=fold),
        )
    return scheduled_post_create(
        caption=caption,
        media=media,
        connections=connections,
        local_time=local_time,
        timezone=timezone,
        created_by=created_by,
        title=title,
        hashtags=hashtags,
        options=options,
        target_options=cleaned,
        fold=fold,
        now=now,
    )


@transaction.atomic
def scheduled_post_move(
    post: ScheduledPost,
    *,
    local_time: datetime,
    timezone: str | None = None,
    fold: int = 0,
    allow_over_quota: bool = False,
    now: datetime | None = None,
) -> ScheduledPost:
    """Reschedule `post` (refused once a target is claimed, with why) and check its
    destinations' budgets on the new day, unless `allow_over_quota` (all or nothing)."""
    post = scheduled_post_reschedule(
        post, local_time=local_time, timezone=timezone, fold=fold, now=now
    )
    if not allow_over_quota:
        live = post.targets.exclude(state__in=("cancelled", "failed"))
        connections = [t.connection for t in live.select_related("connection__account")]
        if connections:
            budget_check(connections=connections, scheduled_at=post.scheduled_at, exclude_post=post)
    return post
