"""Daily rollups: one `DailyPostMetric` row per counted post and local day (agency TIME_ZONE)
in which it moved, and one `DailyAccountMetric` row per account and local day, computed in SQL
from the snapshots with the definitions of specs/metrics.md.

A day is the window `[local 00:00, next local 00:00)`:
- a post's `*_gained`: `gained(X, day) = X@end - X@start` (negative corrections kept), read
  from the day-end values: `X` changes only at the post's snapshots and, when it was published
  before its first snapshot, at its publication (0 before, rule 2; the earliest snapshot after,
  rule 3). A run of days adds up to the engine's `gained` over the same window, to the unit:
  `X@t` telescopes. Computed set-based per chunk of accounts and run of days;
- an account's `*_gained`: its posts' rows summed (trial reels are not counted posts);
- `followers`, `following`: the account's value at the day's end (`X@end`: the latest
  snapshot at or before it, else the earliest; NULL without snapshots);
- `posts_published`: counted posts whose `post_date` is in the day;
- `engagement_rate`: (likes + comments + shares gained) / views gained * 100 when views gained
  > 0, else NULL.

Snapshot retention (posts.services.retention) keeps each day's last snapshot, so `X@` at a
day's end, and so every figure here, is the same before and after thinning.

Idempotent: a run rewrites its range (of the posts' rows only those that changed; the accounts'
upserted on (account, date)) in one transaction per chunk and run of days.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import connection, transaction
from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    DateField,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from core import windows
from creators.metrics import account_value_at, counted_posts
from creators.models import Account, AccountSnapshot
from posts.metrics import COUNTERS
from posts.models import Post, PostSnapshot
from posts.queries import posts_moving_in

from ..models import DailyAccountMetric, DailyPostMetric
from ..queries import jit_off

# Accounts per statement: bounds the IN list and each upsert.
ACCOUNTS_PER_CHUNK = 500
# A backfill of at most 2 years, like the analytics API's periods (a bigger one: call again).
MAX_DAYS = 731
# The nightly pass: yesterday, and the days before it that late refreshes may have changed.
REPAIR_DAYS = 7
# Days per statement and transaction: a year's backfill is a dozen short transactions a chunk.
DAYS_PER_STEP = 31
BATCH_SIZE = 5_000

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


# Post day-end values: the last event of each (post, local day), minus the one before it
# (LAG over the post's days; the first is the value at the run's start, given as the day
# before it). That start value is one snapshot row per post, read once for its four
# counters: `anchored` is MATERIALIZED so PostgreSQL finds each post's row once and joins it
# by the unique index (inlined, it repeated the look-up per counter). Only days in which the
# post moved are kept. The parts are ORM statements (the same on SQLite and PostgreSQL; the day
# cut in the agency's zone by Django's TruncDate).
POST_ROWS_SQL = """
WITH anchored (post_id, account_id, day, at_moment, anchor, zero) AS MATERIALIZED ({base}),
ev (post_id, account_id, day, at_moment, v, l, c, s) AS (
    SELECT * FROM ({snapshots}) AS snapshots
    UNION ALL SELECT * FROM ({published}) AS published
    UNION ALL SELECT a.post_id, a.account_id, a.day, a.at_moment,
        CASE WHEN a.anchor IS NULL THEN a.zero ELSE b.views END,
        CASE WHEN a.anchor IS NULL THEN a.zero ELSE b.likes END,
        CASE WHEN a.anchor IS NULL THEN a.zero ELSE b.comments END,
        CASE WHEN a.anchor IS NULL THEN a.zero ELSE b.shares END
    FROM anchored a LEFT JOIN {snapshot_table} b
        ON b.post_id = a.post_id AND b.captured_at = a.anchor
),
last_of_day AS (
    SELECT post_id, account_id, day, v, l, c, s,
        ROW_NUMBER() OVER (PARTITION BY post_id, day ORDER BY at_moment DESC) AS rn
    FROM ev
),
g AS (
    SELECT post_id, account_id, day,
        v - LAG(v) OVER w AS v, l - LAG(l) OVER w AS l,
        c - LAG(c) OVER w AS c, s - LAG(s) OVER w AS s
    FROM last_of_day
    WHERE rn = 1
    WINDOW w AS (PARTITION BY post_id ORDER BY day)
)
SELECT post_id, account_id, day AS date, v AS views_gained, l AS likes_gained,
    c AS comments_gained, s AS shares_gained
FROM g
WHERE day >= %s AND (v <> 0 OR l <> 0 OR c <> 0 OR s <> 0)
"""

# The step's rows are computed into a temporary table, then only what differs is written: the
# rows that are no longer there are deleted, new and changed rows upserted, unchanged rows left
# alone. The nightly pass recomputes 8 days of which 7 rarely change: rewriting them all left
# dead rows that slowed every read of the table until a VACUUM.
STEP_ROWS = "analytics_rollup_step_rows"
POST_ROW_FIELDS = (
    "account_id",
    "views_gained",
    "likes_gained",
    "comments_gained",
    "shares_gained",
)
STALE_ROWS_SQL = """
DELETE FROM {table} WHERE account_id IN ({ids}) AND date >= %s AND date <= %s
AND NOT EXISTS (
    SELECT 1 FROM {step} t WHERE t.post_id = {table}.post_id AND t.date = {table}.date
)
"""
UPSERT_ROWS_SQL = """
INSERT INTO {table} (post_id, date, {fields})
SELECT post_id, date, {fields} FROM {step} WHERE TRUE
ON CONFLICT (post_id, date) DO UPDATE SET {updates} WHERE {changed}
"""

# A snapshot at exactly 00:00 is the value at the end of the day before (`captured_at <= t`).
JUST_BEFORE = timedelta(microseconds=1)


def _day_of(field: str, *, ending: bool) -> TruncDate:
    """The local day of `field`; `ending`: the day whose window `(start, end]` holds it."""
    moment = F(field)
    if ending:
        moment = ExpressionWrapper(moment - Value(JUST_BEFORE), output_field=DateTimeField())
    return TruncDate(moment, tzinfo=windows.agency_timezone())


def _post_rows_write(ids: list[int], first: date, last: date) -> None:
    """Rewrite the DailyPostMetric rows of these accounts' counted posts for `first`..`last`.

    The value of a post changes only at its snapshots (to the snapshot's value) and, when it
    was published before its first snapshot, at its publication (from 0, rule 2, to the
    earliest snapshot, rule 3); so the value at a day's end is the day's last such event, and
    days without one gained nothing. The stale rows (a gain corrected to 0, a post become a
    trial reel) are deleted, in the same transaction; unchanged rows are not written."""
    start, end = windows.local_midnight(first), windows.local_midnight(last + timedelta(days=1))
    posts = Post.objects.filter(counted_posts(), account_id__in=ids).order_by()
    snapshots = (
        PostSnapshot.objects.filter(
            post_id__in=posts.values("pk"), captured_at__gt=start, captured_at__lte=end
        )
        .order_by()
        .annotate(day=_day_of("captured_at", ending=True))
        .values_list("post_id", "post__account_id", "day", "captured_at", *COUNTERS)
    )
    of_post = PostSnapshot.objects.filter(post_id=OuterRef("pk")).order_by()
    earliest = {
        f"first_{c}": Subquery(of_post.order_by("captured_at").values(c)[:1]) for c in COUNTERS
    }
    published = (
        posts.filter(post_date__gte=start, post_date__lt=end)
        .filter(Exists(of_post), ~Exists(of_post.filter(captured_at__lte=OuterRef("post_date"))))
        .annotate(day=_day_of("post_date", ending=False), **earliest)
        .values_list("pk", "account_id", "day", "post_date", *earliest)
    )
    # `X@start` by the rules of `posts.metrics.value_at`, as the snapshot it reads: the
    # latest at or before the start; else, for a post published at or after it, 0; else the
    # earliest (NULL without snapshots).
    captured = of_post.values("captured_at")
    base = (
        posts.filter(posts_moving_in((start, end)))
        .annotate(
            base_day=Value(first - timedelta(days=1), output_field=DateField()),
            base_at=Value(start, output_field=DateTimeField()),
            anchor=Coalesce(
                Subquery(captured.filter(captured_at__lte=start).order_by("-captured_at")[:1]),
                Case(
                    When(post_date__gte=start, then=Value(None)),
                    default=Subquery(captured.order_by("captured_at")[:1]),
                ),
                output_field=DateTimeField(),
            ),
            zero=Case(When(post_date__gte=start, then=Value(0)), output_field=BigIntegerField()),
        )
        .values_list("pk", "account_id", "base_day", "base_at", "anchor", "zero")
    )
    parts, params = {}, []
    for name, queryset in (("base", base), ("snapshots", snapshots), ("published", published)):
        parts[name], part_params = queryset.query.sql_with_params()
        params.extend(part_params)
    sql = POST_ROWS_SQL.format(snapshot_table=PostSnapshot._meta.db_table, **parts)
    params.append(first)
    table = DailyPostMetric._meta.db_table
    # Whether a row changed: NULLs compare equal (`IS NOT` is SQLite's spelling).
    differs = "IS DISTINCT FROM" if connection.vendor == "postgresql" else "IS NOT"
    fields = ", ".join(POST_ROW_FIELDS)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE {STEP_ROWS} AS {sql}", params)
        cursor.execute(
            STALE_ROWS_SQL.format(table=table, step=STEP_ROWS, ids=", ".join(["%s"] * len(ids))),
            [*ids, first, last],
        )
        cursor.execute(
            UPSERT_ROWS_SQL.format(
                table=table,
                step=STEP_ROWS,
                fields=fields,
                updates=", ".join(f"{f} = excluded.{f}" for f in POST_ROW_FIELDS),
                changed=" OR ".join(f"{table}.{f} {differs} excluded.{f}" for f in POST_ROW_FIELDS),
            )
        )
        cursor.execute(f"DROP TABLE {STEP_ROWS}")


def _account_rows(ids: list[int], first: date, last: date) -> list[DailyAccountMetric]:
    """The DailyAccountMetric rows of these accounts for `first`..`last`: the gains summed from
    DailyPostMetric, the posts published, and followers/following at each day's end (the
    day's last account snapshot, else the value carried from the day before)."""
    start, end = windows.local_midnight(first), windows.local_midnight(last + timedelta(days=1))
    gains = {
        (row.pop("account_id"), row.pop("date")): row
        for row in DailyPostMetric.objects.filter(
            account_id__in=ids, date__gte=first, date__lte=last
        )
        .order_by()
        .values("account_id", "date")
        .annotate(**{c: Sum(f"{c}_gained") for c in COUNTERS})
    }
    published = {
        (account_id, day): n
        for account_id, day, n in Post.objects.filter(
            counted_posts(), account_id__in=ids, post_date__gte=start, post_date__lt=end
        )
        .order_by()
        .annotate(day=_day_of("post_date", ending=False))
        .values("account_id", "day")
        .annotate(n=Count("pk"))
        .values_list("account_id", "day", "n")
    }
    day_ends = {
        (account_id, day): (followers, following)
        for account_id, day, followers, following in AccountSnapshot.objects.filter(
            account_id__in=ids, captured_at__gt=start, captured_at__lte=end
        )
        .annotate(day=_day_of("captured_at", ending=True))
        .order_by("account_id", "captured_at")
        .values_list("account_id", "day", "followers", "following")
    }
    at_start = Account.objects.filter(pk__in=ids).annotate(
        at_followers=account_value_at("followers", start),
        at_following=account_value_at("following", start),
    )
    rows = []
    for account_id, followers, following in at_start.values_list(
        "pk", "at_followers", "at_following"
    ):
        for offset in range((last - first).days + 1):
            day = first + timedelta(days=offset)
            followers, following = day_ends.get((account_id, day), (followers, following))
            counts = {c: (gains.get((account_id, day), {}).get(c) or 0) for c in COUNTERS}
            rows.append(
                DailyAccountMetric(
                    account_id=account_id,
                    date=day,
                    followers=followers,
                    following=following,
                    posts_published=published.get((account_id, day), 0),
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
    days_per_step: int = DAYS_PER_STEP,
    on_progress: OnProgress = None,
) -> RollupReport:
    """Compute and upsert the rows of the local days `start`..`end` (inclusive) for `accounts`
    (default: every account with data): DailyPostMetric, then DailyAccountMetric from it.
    Idempotent; one short transaction per run of `days_per_step` days and chunk of accounts
    (its reads and its writes), so a long backfill never holds the database. Progress is
    counted in days times chunks."""
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
    for offset in range(0, days, days_per_step):
        first = start + timedelta(days=offset)
        last = min(first + timedelta(days=days_per_step - 1), end)
        for chunk in chunks:
            with transaction.atomic():
                jit_off()
                _post_rows_write(chunk, first, last)
                rows = _account_rows(chunk, first, last)
                DailyAccountMetric.objects.bulk_create(
                    rows,
                    batch_size=BATCH_SIZE,
                    update_conflicts=True,
                    unique_fields=["account", "date"],
                    update_fields=UPDATED_FIELDS,
                )
            report.rows += len(rows)
            done += (last - first).days + 1
            if on_progress is not None:
                on_progress(done, total)
    return report


def daily_metrics_nightly(*, now: datetime | None = None) -> RollupReport:
    """The nightly pass: yesterday (local) and the REPAIR_DAYS before it, which refreshes
    that ran late (a snapshot captured after the day was rolled up) may have changed."""
    yesterday = windows.local_date(now or timezone.now()) - timedelta(days=1)
    return daily_metrics_rollup(start=yesterday - timedelta(days=REPAIR_DAYS), end=yesterday)
