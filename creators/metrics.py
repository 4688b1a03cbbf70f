"""Account metrics of specs/metrics.md and the per-account monthly figures of specs/finance.md.

`account_metrics_recompute` writes every figure on the accounts (and the engagement rate of
their posts) with a few set-based statements, except the KPI status: that one is a finance
rule, written by `finance.metrics` (finance imports creators, not the reverse). Two equivalent
paths:

- the portable ORM path: correlated subqueries built from `posts.metrics` (the definitions),
  one UPDATE per batch of accounts;
- on PostgreSQL, one raw statement for the posts and one for the accounts, with LATERAL index
  probes, fast enough for a million posts. It applies the same rules; the tests check that it
  gives the same numbers as the ORM path.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from django.db import connection, connections, transaction
from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Coalesce, NullIf, Round
from django.utils import timezone

from core import windows
from posts.choices import BaseFormat
from posts.metrics import (
    Hundredths,
    Moment,
    daily_history,
    engagement_rate,
    snapshot_history,
    snapshot_value_at,
    views_gained,
)
from posts.models import Post, PostSnapshot

from .models import Account, AccountSnapshot

logger = logging.getLogger(__name__)

BATCH_SIZE = 500
# Connections sharing a full recompute on PostgreSQL (one core each).
SQL_WORKERS = 2

Method = Literal["auto", "orm", "sql"]

# The account figures: account_metrics_recompute writes all but `kpi_status`, which is a
# finance rule (finance.metrics.account_kpi_status_recompute writes it).
FIGURES = (
    "total_views",
    "total_likes",
    "total_comments",
    "total_shares",
    "avg_views",
    "avg_engagement_rate",
    "video_count",
    "photo_count",
    "carousel_count",
    "posts_last_7d",
    "posts_last_30d",
    "posts_last_90d",
    "views_last_7d",
    "views_last_30d",
    "views_last_90d",
    "views_last_365d",
    "views_last_calendar_week",
    "views_last_calendar_month",
    "views_since_1st_of_month",
    "followers_since_1st_of_month",
    "followers_since_monday",
    "followers_since_start_of_growth",
    "this_month_posting_volume",
    "last_month_posting_volume",
    "this_month_views_generated",
    "last_month_views_generated",
    "kpi_status",
)
OWN_FIGURES = tuple(field for field in FIGURES if field != "kpi_status")


@dataclass(frozen=True)
class Moments:
    """Every moment the account figures look at, for one `now`."""

    now: datetime
    days_7: datetime
    days_30: datetime
    days_90: datetime
    days_365: datetime
    monday: datetime
    last_monday: datetime
    month: datetime
    last_month: datetime
    next_month: datetime
    month_elapsed_s: int
    month_length_s: int

    @classmethod
    def at(cls, now: datetime) -> Moments:
        last_monday, monday = windows.last_calendar_week(now)
        last_month, month = windows.last_calendar_month(now)
        this_month = windows.this_month(now)
        elapsed, length = windows.elapsed_fraction(now, this_month)
        return cls(
            now=now,
            days_7=windows.last_days(now, 7)[0],
            days_30=windows.last_days(now, 30)[0],
            days_90=windows.last_days(now, 90)[0],
            days_365=windows.last_days(now, 365)[0],
            monday=monday,
            last_monday=last_monday,
            month=month,
            last_month=last_month,
            next_month=this_month[1],
            month_elapsed_s=elapsed,
            month_length_s=length,
        )

    def view_windows(self) -> dict[str, tuple[datetime, datetime]]:
        """The account's `views_*` figures: field -> window `[a, b)` of `gained(views)`."""
        return {
            "views_last_7d": (self.days_7, self.now),
            "views_last_30d": (self.days_30, self.now),
            "views_last_90d": (self.days_90, self.now),
            "views_last_365d": (self.days_365, self.now),
            "views_last_calendar_week": (self.last_monday, self.monday),
            "views_last_calendar_month": (self.last_month, self.month),
            "views_since_1st_of_month": (self.month, self.now),
        }

    def post_windows(self) -> dict[str, tuple[datetime, datetime]]:
        """Post counts: field -> window `[a, b)` of `post_date`."""
        return {
            "posts_last_7d": (self.days_7, self.now),
            "posts_last_30d": (self.days_30, self.now),
            "posts_last_90d": (self.days_90, self.now),
            "this_month_posting_volume": (self.month, self.next_month),
            "last_month_posting_volume": (self.last_month, self.month),
        }


# Same figure, two names: the finance spec's monthly views are the metrics spec's windows.
ALIASES = {
    "this_month_views_generated": "views_since_1st_of_month",
    "last_month_views_generated": "views_last_calendar_month",
}

FORMATS = {
    "video_count": BaseFormat.VIDEO,
    "photo_count": BaseFormat.SINGLE_PHOTO,
    "carousel_count": BaseFormat.CAROUSEL,
}


# --- Expressions (the definitions) ------------------------------------------------------------


def account_value_at(counter: str, moment: Moment, *, owner: str = "pk"):
    """An account's `counter@moment` (followers, following, media_count): the latest snapshot
    at or before the moment, else the earliest; `NULL` without snapshots."""
    snapshots = AccountSnapshot.objects.filter(account_id=OuterRef(owner)).order_by()
    return snapshot_value_at(snapshots, counter, moment)


def account_earliest(counter: str, *, owner: str = "pk") -> Subquery:
    snapshots = AccountSnapshot.objects.filter(account_id=OuterRef(owner)).order_by("captured_at")
    return Subquery(snapshots.values(counter)[:1], output_field=BigIntegerField())


def post_engagement_rate() -> Case:
    """For a Post queryset: the engagement rate, falling back on the account's
    `followers@post_date` when the post has no views."""
    return engagement_rate(
        followers=account_value_at("followers", OuterRef("post_date"), owner="account_id")
    )


def counted_posts() -> Q:
    """The posts an account's figures are over: not trial reels (they count once approved)."""
    return Q(is_trial=False)


def _subtract(left, right) -> ExpressionWrapper:
    return ExpressionWrapper(left - right, output_field=BigIntegerField())


def _rounded_ratio(total, count) -> ExpressionWrapper:
    """round_half_up(total / count) in integers; NULL when count is 0."""
    # PostgreSQL's sum(bigint) is a numeric: back to an integer, so `/` divides integers.
    total = Cast(total, BigIntegerField())
    return ExpressionWrapper(
        (total * Value(2) + count) / NullIf(count * Value(2), Value(0)),
        output_field=BigIntegerField(),
    )


def post_aggregates(moments: Moments) -> dict:
    """Aggregates over an account's counted posts (for `.values("account_id").annotate()`)."""
    rate_hundredths = Cast(Round(F("engagement_rate") * Value(100)), BigIntegerField())
    aggregates = {
        "total_views": Sum("views"),
        "total_likes": Sum("likes"),
        "total_comments": Sum("comments"),
        "total_shares": Sum("shares"),
        "avg_views": _rounded_ratio(Sum("views"), Count("views")),
        "avg_engagement_rate": Hundredths(
            _rounded_ratio(Sum(rate_hundredths), Count("engagement_rate"))
        ),
    }
    for field, base_format in FORMATS.items():
        aggregates[field] = Count("pk", filter=Q(base_format=base_format))
    for field, (start, end) in moments.post_windows().items():
        aggregates[field] = Count("pk", filter=Q(post_date__gte=start, post_date__lt=end))
    for field, (start, end) in moments.view_windows().items():
        aggregates[field] = Sum(views_gained(start, end))
    return aggregates


def account_figures(moments: Moments) -> dict:
    """Every figure of an account, as expressions on an Account queryset (for `update()`)."""
    posts = Post.objects.filter(counted_posts(), account_id=OuterRef("pk")).order_by()
    grouped = posts.values("account_id")
    figures: dict = {}
    for field, aggregate in post_aggregates(moments).items():
        value = Subquery(grouped.annotate(value=aggregate).values("value"))
        if isinstance(aggregate, Count):
            value = Coalesce(value, Value(0))
        figures[field] = value
    for field, source in ALIASES.items():
        figures[field] = figures[source]
    followers_now = account_value_at("followers", moments.now)
    figures["followers_since_1st_of_month"] = _subtract(
        followers_now, account_value_at("followers", moments.month)
    )
    figures["followers_since_monday"] = _subtract(
        followers_now, account_value_at("followers", moments.monday)
    )
    figures["followers_since_start_of_growth"] = _subtract(
        followers_now, account_earliest("followers")
    )
    return figures


# --- Recompute --------------------------------------------------------------------------------


def account_metrics_recompute(
    *,
    account_ids: Iterable[int] | None = None,
    now: datetime | None = None,
    method: Method = "auto",
    workers: int | None = None,
) -> int:
    """Recompute every figure of the given accounts (all when `None`) and the engagement rate
    of their posts, as of `now`; set `metrics_computed_at`. Returns the number of accounts.

    `method`: "sql" is the PostgreSQL statements, "orm" the portable path; "auto" picks the
    first on PostgreSQL. Each statement commits on its own (no long lock on every account).
    `workers`: connections sharing a full recompute on PostgreSQL (default `SQL_WORKERS`;
    always 1 inside a transaction, whose uncommitted rows other connections cannot see).
    """
    now = now or timezone.now()
    ids = None if account_ids is None else sorted({int(pk) for pk in account_ids})
    if ids == []:
        return 0
    if method == "auto":
        method = "sql" if connection.vendor == "postgresql" else "orm"
    if method == "sql":
        if connection.vendor != "postgresql":
            raise ValueError("The SQL path needs PostgreSQL; use method='orm'.")
        if workers is None:
            workers = SQL_WORKERS
        if connection.in_atomic_block:
            workers = 1
        return _recompute_sql(ids, Moments.at(now), workers=workers)
    return _recompute_orm(ids, Moments.at(now))


def _id_batches(ids: list[int] | None) -> Iterable[list[int]]:
    if ids is not None:
        for start in range(0, len(ids), BATCH_SIZE):
            yield ids[start : start + BATCH_SIZE]
        return
    last = 0
    while True:  # keyset pages of ids: never all accounts in memory
        batch = list(
            Account.objects.filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", flat=True)[:BATCH_SIZE]
        )
        if not batch:
            return
        yield batch
        last = batch[-1]


def _recompute_orm(ids: list[int] | None, moments: Moments) -> int:
    figures = account_figures(moments)
    rate = post_engagement_rate()
    updated = 0
    if ids is None:
        Post.objects.filter(account__isnull=True).update(engagement_rate=engagement_rate())
    for batch in _id_batches(ids):
        with transaction.atomic():
            Post.objects.filter(account_id__in=batch).update(engagement_rate=rate)
            updated += Account.objects.filter(pk__in=batch).update(
                **figures, metrics_computed_at=moments.now
            )
    return updated


# --- PostgreSQL statements --------------------------------------------------------------------


def _rate_sql(followers: str) -> tuple[str, dict]:
    """`posts.metrics.engagement_rate` compiled for the statement below, whose posts are `p`
    and the account's `followers@post_date` is the column `followers`: the rule stays written
    once. Its parameters are named (the statement's other parameters are)."""
    query = Post.objects.all().query
    expression = engagement_rate(followers=RawSQL(followers, ())).resolve_expression(query)
    sql, params = query.get_compiler(connection=connection).compile(expression)
    table = connection.ops.quote_name(Post._meta.db_table)
    pieces = sql.replace(f"{table}.", "p.").split("%s")
    named = {f"rate_{index}": value for index, value in enumerate(params)}
    return "".join(
        piece + (f"%(rate_{index})s" if index < len(params) else "")
        for index, piece in enumerate(pieces)
    ), named


@dataclass(frozen=True)
class _Part:
    """What one statement covers: the accounts `ids`, or (all accounts) the slice
    `id mod parts = part`, so that several connections can share a full recompute."""

    ids: list[int] | None = None
    part: int = 0
    parts: int = 1

    def params(self) -> dict:
        return {
            "ids": self.ids,
            "part": self.part,
            "parts": self.parts,
            **_rate_sql("f.followers")[1],
        }

    def filter(self, account_column: str, *, id_column: str | None = None) -> str:
        """SQL condition (after AND) on an account id; the slice may use another column."""
        if self.ids is not None:
            return f"AND {account_column} = ANY(%(ids)s)"
        if self.parts > 1:
            return f"AND mod({id_column or account_column}, %(parts)s) = %(part)s"
        return ""


def _posts_rate_sql(part: _Part) -> str:
    """Statement 1: the posts' engagement rate, written only where it changes.

    The account's `followers@post_date` is looked up only for posts without views (the
    LATERAL's condition on `p` alone becomes a one-time filter: no probe for the others).
    """
    no_views = "COALESCE(p.views, 0) = 0"
    rate = _rate_sql("f.followers")[0]
    return f"""
    UPDATE posts_post AS target SET engagement_rate = x.rate
    FROM (
        SELECT p.id, {rate} AS rate
        FROM posts_post p
        LEFT JOIN LATERAL (
            SELECT s.captured_at, s.followers FROM creators_accountsnapshot s
            WHERE s.account_id = p.account_id AND s.captured_at <= p.post_date AND {no_views}
            ORDER BY s.captured_at DESC LIMIT 1
        ) f_at ON true
        LEFT JOIN LATERAL (
            SELECT s.followers FROM creators_accountsnapshot s
            WHERE s.account_id = p.account_id AND {no_views} AND f_at.captured_at IS NULL
            ORDER BY s.captured_at LIMIT 1
        ) f_first ON true
        CROSS JOIN LATERAL (
            SELECT CASE WHEN f_at.captured_at IS NOT NULL THEN f_at.followers
                        ELSE f_first.followers END AS followers
        ) f
        WHERE true {part.filter("p.account_id", id_column="p.id")}
    ) x
    WHERE target.id = x.id AND target.engagement_rate IS DISTINCT FROM x.rate
    """


def _accounts_sql(part: _Part, moments: Moments) -> tuple[str, dict]:
    """Statement 2: every account figure, in one UPDATE … FROM."""
    params: dict = {**part.params(), "now": moments.now}
    # One probe per distinct moment before `now`, each only for the posts it can matter to:
    # a moment before the first snapshot or after the last one is answered by those two rows.
    moment_names: dict[datetime, str] = {moments.now: "now"}
    for start, end in moments.view_windows().values():
        for moment in (start, end):
            moment_names.setdefault(moment, f"t{len(moment_names)}")
    params.update({name: moment for moment, name in moment_names.items()})

    values = []
    for name in moment_names.values():
        if name == "now":
            values.append(
                """CASE WHEN first.captured_at IS NULL THEN NULL
                    WHEN first.captured_at > %(now)s
                        THEN CASE WHEN p.post_date >= %(now)s THEN 0 ELSE first.views END
                    ELSE last.views END AS v_now"""
            )
            continue
        # Between the first and the last snapshot: a scalar subquery, run only in that case.
        values.append(
            f"""CASE WHEN first.captured_at IS NULL THEN NULL
                WHEN first.captured_at > %({name})s
                    THEN CASE WHEN p.post_date >= %({name})s THEN 0 ELSE first.views END
                WHEN last.captured_at <= %({name})s THEN last.views
                ELSE (
                    SELECT s.views FROM posts_postsnapshot s
                    WHERE s.post_id = p.id AND s.captured_at <= %({name})s
                    ORDER BY s.captured_at DESC LIMIT 1
                ) END AS v_{name}"""
        )

    aggregates = [
        "sum(views)::bigint AS total_views",
        "sum(likes) AS total_likes",
        "sum(comments) AS total_comments",
        "sum(shares) AS total_shares",
        "count(views) AS counted_views",
        "sum(round(engagement_rate * 100)::bigint)::bigint AS rate_sum",
        "count(engagement_rate) AS counted_rates",
    ]
    for field, base_format in FORMATS.items():
        params[field] = str(base_format)
        aggregates.append(f"count(*) FILTER (WHERE base_format = %({field})s) AS {field}")
    for field, (start, end) in moments.post_windows().items():
        params[f"{field}_a"], params[f"{field}_b"] = start, end
        aggregates.append(
            f"count(*) FILTER (WHERE post_date >= %({field}_a)s AND post_date < %({field}_b)s)"
            f" AS {field}"
        )
    for field, (start, end) in moments.view_windows().items():
        aggregates.append(f"sum(v_{moment_names[end]} - v_{moment_names[start]}) AS {field}")

    def followers_at(name: str) -> str:
        return f"""LEFT JOIN LATERAL (
            SELECT s.captured_at, s.followers FROM creators_accountsnapshot s
            WHERE s.account_id = a.id AND s.captured_at <= %({name})s
            ORDER BY s.captured_at DESC LIMIT 1
        ) fol_{name} ON true"""

    def followers_value(name: str) -> str:
        return (
            f"CASE WHEN fol_{name}.captured_at IS NOT NULL THEN fol_{name}.followers"
            " ELSE fol_first.followers END"
        )

    params.update(month=moments.month, monday=moments.monday)
    set_columns = ",\n".join(f"{field} = x.{field}" for field in OWN_FIGURES)
    sql = f"""
    WITH post_values AS (
        SELECT p.account_id, p.views, p.likes, p.comments, p.shares, p.engagement_rate,
               p.base_format, p.post_date,
               {", ".join(values)}
        FROM posts_post p
        LEFT JOIN LATERAL (
            SELECT s.captured_at, s.views FROM posts_postsnapshot s
            WHERE s.post_id = p.id ORDER BY s.captured_at LIMIT 1
        ) first ON true
        LEFT JOIN LATERAL (
            SELECT s.captured_at, s.views FROM posts_postsnapshot s
            WHERE s.post_id = p.id AND s.captured_at <= %(now)s
            ORDER BY s.captured_at DESC LIMIT 1
        ) last ON true
        WHERE NOT p.is_trial AND p.account_id IS NOT NULL {part.filter("p.account_id")}
    ),
    per_account AS (
        SELECT account_id, {", ".join(aggregates)}
        FROM post_values GROUP BY account_id
    ),
    figures AS (
        SELECT a.id,
            pa.total_views, pa.total_likes, pa.total_comments, pa.total_shares,
            (pa.total_views * 2 + pa.counted_views) / NULLIF(pa.counted_views * 2, 0)
                AS avg_views,
            ((pa.rate_sum * 2 + pa.counted_rates) / NULLIF(pa.counted_rates * 2, 0))::numeric
                / 100 AS avg_engagement_rate,
            {", ".join(f"COALESCE(pa.{f}, 0) AS {f}" for f in (*FORMATS, *moments.post_windows()))},
            {", ".join(f"pa.{f}" for f in moments.view_windows())},
            {", ".join(f"pa.{source} AS {alias}" for alias, source in ALIASES.items())},
            {followers_value("now")} - {followers_value("month")}
                AS followers_since_1st_of_month,
            {followers_value("now")} - {followers_value("monday")} AS followers_since_monday,
            {followers_value("now")} - fol_first.followers AS followers_since_start_of_growth
        FROM creators_account a
        LEFT JOIN per_account pa ON pa.account_id = a.id
        LEFT JOIN LATERAL (
            SELECT s.followers FROM creators_accountsnapshot s
            WHERE s.account_id = a.id ORDER BY s.captured_at LIMIT 1
        ) fol_first ON true
        {followers_at("now")}
        {followers_at("month")}
        {followers_at("monday")}
        WHERE true {part.filter("a.id")}
    )
    UPDATE creators_account AS target SET
        {set_columns},
        metrics_computed_at = %(now)s
    FROM figures x
    WHERE target.id = x.id
    """
    return sql, params


def _recompute_sql(ids: list[int] | None, moments: Moments, *, workers: int) -> int:
    if ids is not None or workers <= 1:
        part = _Part(ids=ids)
        with connection.cursor() as cursor:
            cursor.execute(_posts_rate_sql(part), part.params())
            cursor.execute(*_accounts_sql(part, moments))
            return cursor.rowcount
    # A full recompute is split over `workers` connections: PostgreSQL runs a statement whose
    # probes use LIMIT 1 on one core. Slices are disjoint; every post's rate is written before
    # any account averages them.
    parts = [_Part(part=k, parts=workers) for k in range(workers)]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(lambda part: _execute(_posts_rate_sql(part), part.params()), parts))
        return sum(pool.map(lambda part: _execute(*_accounts_sql(part, moments)), parts))


def _execute(sql: str, params: dict) -> int:
    """Run one statement on this thread's own connection, then close it."""
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.rowcount
    finally:
        connection.close()


# --- History for charts -----------------------------------------------------------------------

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
