"""Daily rollups: one `DailyAccountMetric` row per account and local day (agency TIME_ZONE),
computed in SQL from the snapshots with the definitions of specs/metrics.md.

A day is the window `[local 00:00, next local 00:00)`:
- `followers`, `following`: the account's value at the day's end (`X@end`: the latest
  snapshot at or before it, else the earliest; NULL without snapshots);
- `*_gained`: what the account's counted posts (not trial reels) gained in the day, i.e.
  `gained(X, day) = X@end - X@start` per post, summed (negative corrections kept). This is the
  metrics engine's own expression (`posts.metrics.value_at`), so a run of days adds up to the
  engine's figure over the same window, to the unit: `X@t` telescopes. Only the posts that may
  move in the day (`posts.queries.posts_moving_in`) are looked at;
- `posts_published`: counted posts whose `post_date` is in the day;
- `engagement_rate`: (likes + comments + shares gained) / views gained * 100 when views gained
  > 0, else NULL.

Snapshot retention (posts.services.retention) keeps each day's last snapshot, so `X@` at a
day's end, and so every figure here, is the same before and after thinning.

Idempotent: rows are upserted on (account, date) in bulk; rerunning a range rewrites it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import (
    Count,
    Exists,
    OuterRef,
    QuerySet,
    Sum,
)
from django.utils import timezone

from core import windows
from creators.metrics import account_value_at, counted_posts
from creators.models import Account, AccountSnapshot
from posts.metrics import COUNTERS
from posts.models import Post
from posts.queries import posts_moving_in

from ..models import DailyAccountMetric
from ..queries import day_window, gained, jit_off

# Accounts per statement: bounds the IN list and each upsert.
ACCOUNTS_PER_CHUNK = 500
# A backfill of at most 2 years, like the analytics API's periods (a bigger one: call again).
MAX_DAYS = 731
# The nightly pass: yesterday, and the days before it that late refreshes may have changed.
REPAIR_DAYS = 7

UPDATED_FIELDS = [
    "followers",
    "following",
    "posts_published",
    "views_gained",
    "likes_gained",
    "comments_gained",
    "shares_gained",
    "engagement_rate",
    "computed_at",
]

OnProgress = Callable[[int, int], None] | None  # (steps done, steps in all)


@dataclass
class RollupReport:
    days: int = 0
    accounts: int = 0
    rows: int = 0


def rolled_up_accounts() -> QuerySet[Account]:
    """The accounts that get rows: those with an account snapshot or a post (an account with
    neither has no figure to show)."""
    return Account.objects.filter(
        Exists(AccountSnapshot.objects.filter(account_id=OuterRef("pk")))
        | Exists(Post.objects.filter(account_id=OuterRef("pk")))
    )


def _chunks(ids: list[int], size: int) -> Iterator[list[int]]:
    for index in range(0, len(ids), size):
        yield ids[index : index + size]


def _rate(views: int, likes: int, comments: int, shares: int) -> float | None:
    if views <= 0:
        return None
    return round((likes + comments + shares) * 100 / views, 2)


def _day_rows(ids: list[int], day: date) -> list[DailyAccountMetric]:
    """The rows of these accounts for one day: three grouped statements."""
    start, end = day_window(day)
    posts = Post.objects.filter(counted_posts(), account_id__in=ids).order_by()
    gains = {
        row.pop("account_id"): row
        for row in posts.filter(posts_moving_in((start, end)))
        .values("account_id")
        .annotate(**{counter: Sum(gained(counter, start, end)) for counter in COUNTERS})
    }
    published = dict(
        posts.filter(post_date__gte=start, post_date__lt=end)
        .values("account_id")
        .annotate(n=Count("pk"))
        .values_list("account_id", "n")
    )
    followers = (
        Account.objects.filter(pk__in=ids)
        .annotate(
            at_end_followers=account_value_at("followers", end),
            at_end_following=account_value_at("following", end),
        )
        .values_list("pk", "at_end_followers", "at_end_following")
    )
    rows = []
    for account_id, followers_end, following_end in followers:
        counts = {c: (gains.get(account_id, {}).get(c) or 0) for c in COUNTERS}
        rows.append(
            DailyAccountMetric(
                account_id=account_id,
                date=day,
                followers=followers_end,
                following=following_end,
                posts_published=published.get(account_id, 0),
                views_gained=counts["views"],
                likes_gained=counts["likes"],
                comments_gained=counts["comments"],
                shares_gained=counts["shares"],
                engagement_rate=_rate(*(counts[c] for c in COUNTERS)),
            )
        )
    return rows


def daily_metrics_rollup(
    *,
    start: date,
    end: date,
    accounts: QuerySet[Account] | None = None,
    chunk_size: int = ACCOUNTS_PER_CHUNK,
    on_progress: OnProgress = None,
) -> RollupReport:
    """Compute and upsert the rows of the local days `start`..`end` (inclusive) for `accounts`
    (default: every account with data). Idempotent; one short transaction per day and chunk of
    accounts (its reads and its upsert), so a long backfill never holds the database."""
    if end < start:
        raise ValueError(f"The end ({end}) is before the start ({start}).")
    days = (end - start).days + 1
    if days > MAX_DAYS:
        raise ValueError(f"At most {MAX_DAYS} days at once; {days} asked.")
    queryset = rolled_up_accounts() if accounts is None else accounts
    ids = list(queryset.order_by("pk").values_list("pk", flat=True))
    report = RollupReport(days=days, accounts=len(ids))
    chunks = list(_chunks(ids, chunk_size))
    total, done = days * len(chunks), 0
    for offset in range(days):
        day = start + timedelta(days=offset)
        for chunk in chunks:
            with transaction.atomic():
                jit_off()
                rows = _day_rows(chunk, day)
                DailyAccountMetric.objects.bulk_create(
                    rows,
                    update_conflicts=True,
                    unique_fields=["account", "date"],
                    update_fields=UPDATED_FIELDS,
                )
            report.rows += len(rows)
            done += 1
            if on_progress is not None:
                on_progress(done, total)
    return report


def daily_metrics_nightly(*, now: datetime | None = None) -> RollupReport:
    """The nightly pass: yesterday (local) and the REPAIR_DAYS before it, which refreshes
    that ran late (a snapshot captured after the day was rolled up) may have changed."""
    yesterday = windows.local_date(now or timezone.now()) - timedelta(days=1)
    return daily_metrics_rollup(start=yesterday - timedelta(days=REPAIR_DAYS), end=yesterday)
