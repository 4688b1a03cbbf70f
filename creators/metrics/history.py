"""Accounts' history for charts."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import connections
from django.db.models import (
    QuerySet,
)
from django.utils import timezone

from core import windows
from posts.metrics import (
    daily_history,
    snapshot_history,
)
from posts.models import Post, PostSnapshot

from ..models import Account, AccountSnapshot

ACCOUNT_COUNTERS = ("followers", "following", "media_count")


def account_snapshot_history(*, account: Account, **window) -> QuerySet:
    """An account's history, one point per bucket (see `posts.metrics.snapshot_history`, whose
    `granularity`, `start` and `end` these are), with the followers gained per bucket."""
    return snapshot_history(
        AccountSnapshot.objects.filter(account=account),
        counters=ACCOUNT_COUNTERS,
        gained_counter="followers",
        **window,
    )


# The creator page's charts cover this many days.
CHART_DAYS = 60


def _bucket_date(value) -> date:
    """A day bucket read by a raw cursor: a datetime (PostgreSQL: naive local time, as
    `Trunc(tzinfo=…)` truncates `AT TIME ZONE`) or the local "YYYY-MM-DD HH:MM:SS" text that
    Django's SQLite functions return."""
    if isinstance(value, datetime):
        return value.date() if timezone.is_naive(value) else windows.local_date(value)
    return date.fromisoformat(str(value)[:10])


def account_views_per_day(account: Account, *, days: int = CHART_DAYS) -> list[tuple[date, int]]:
    """The views the account's counted posts (not trial reels) gained per day, over the last
    `days` days: per post, the views gained since its previous day with snapshots (rules of
    `X@t`), summed per day in SQL. One query."""
    snapshots = PostSnapshot.objects.filter(
        post__in=Post.objects.filter(account=account, is_trial=False).values("pk")
    )
    start = timezone.now() - timedelta(days=days)
    per_post = daily_history(snapshots, start=start).values("bucket", "gained")
    sql, params = per_post.query.sql_with_params()
    with connections[per_post.db].cursor() as cursor:
        cursor.execute(
            f"SELECT bucket, SUM(gained) FROM ({sql}) per_post GROUP BY bucket ORDER BY bucket",
            params,
        )
        rows = cursor.fetchall()
    return [(_bucket_date(bucket), None if total is None else int(total)) for bucket, total in rows]
