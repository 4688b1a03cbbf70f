"""Post metrics of specs/metrics.md as database expressions: the one definition of "value at a
moment", "gained in a window" and the engagement rate, used by accounts, finance and the API.

Every function returns an ORM expression to annotate a `Post` queryset (or, with `owner`, any
queryset whose row names a post), so the numbers are computed in SQL, the same on SQLite and
PostgreSQL. `creators.metrics` has a faster PostgreSQL statement for the full recompute that
applies the same rules; the tests check both give the same numbers.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import (
    BigIntegerField,
    Case,
    DateTimeField,
    DecimalField,
    Exists,
    Expression,
    ExpressionWrapper,
    F,
    Func,
    OuterRef,
    Q,
    QuerySet,
    RowRange,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import (
    Coalesce,
    FirstValue,
    Lag,
    LastValue,
    Least,
    RowNumber,
    Trunc,
)
from django.db.models.lookups import GreaterThan, GreaterThanOrEqual

from core.windows import GRANULARITIES, agency_timezone, bucket_end, bucket_start

from .models import PostSnapshot

COUNTERS = ("views", "likes", "comments", "shares")

Moment = datetime | Expression | F | OuterRef


def snapshot_value_at(
    snapshots: QuerySet,
    counter: str,
    moment: Moment,
    *,
    not_yet: Q | None = None,
) -> Case:
    """`X@t` over correlated `snapshots` (already filtered on their owner with an OuterRef).

    1. the latest snapshot with `captured_at <= t`; else
    2. `0` when `not_yet` holds (a post published at or after `t`); else
    3. the earliest snapshot (tracking began after `t`).
    `NULL` without any snapshot. A snapshot whose counter is `NULL` gives `NULL` (hidden
    counter), so rule 1 tests the row's existence, not its value. Accounts pass no `not_yet`.
    """
    output = BigIntegerField()
    until = snapshots.filter(captured_at__lte=moment)
    latest = Subquery(until.order_by("-captured_at").values(counter)[:1], output_field=output)
    earliest = Subquery(snapshots.order_by("captured_at").values(counter)[:1], output_field=output)
    whens = [When(Exists(until), then=latest)]
    if not_yet is not None:
        whens.append(When(not_yet & Exists(snapshots), then=Value(0)))
    whens.append(When(Exists(snapshots), then=earliest))
    return Case(*whens, default=Value(None), output_field=output)


def _post_snapshots(owner: str) -> QuerySet:
    return PostSnapshot.objects.filter(post_id=OuterRef(owner)).order_by()


def value_at(counter: str, moment: Moment, *, owner: str = "pk") -> Case:
    """A post's `counter@moment` (views, likes, comments or shares), for a Post queryset.

    `owner` names the post in the outer row (default: the Post itself); the post's `post_date`
    is looked up through it for rule 2.
    """
    if counter not in COUNTERS:
        raise ValueError(f"Unknown counter {counter!r}; use one of {', '.join(COUNTERS)}.")
    date_field = "post_date" if owner == "pk" else f"{owner.removesuffix('_id')}__post_date"
    return snapshot_value_at(
        _post_snapshots(owner), counter, moment, not_yet=Q(**{f"{date_field}__gte": moment})
    )


def views_gained(start: Moment, end: Moment, *, owner: str = "pk") -> ExpressionWrapper:
    """`gained(views, [start, end)) = views@end - views@start`; negative gains are kept."""
    return ExpressionWrapper(
        value_at("views", end, owner=owner) - value_at("views", start, owner=owner),
        output_field=BigIntegerField(),
    )


def views_gained_in(
    window: tuple[datetime, datetime], *, now: datetime, owner: str = "pk"
) -> ExpressionWrapper:
    """`gained(views, window)` for a window that may not be over yet: it ends at `now` at the
    latest (the current month's `views_generated` of specs/finance.md)."""
    start, end = window
    return views_gained(start, min(end, now), owner=owner)


class Hundredths(Func):
    """An integer number of hundredths as a 2-place decimal (`1234` -> `12.34`), exactly."""

    template = "CAST(%(expressions)s AS NUMERIC) / 100"
    output_field = DecimalField(max_digits=18, decimal_places=2)

    def as_sqlite(self, compiler, connection, **extra_context):
        # SQLite keeps decimals as REAL; Django's converter quantizes them to 2 places.
        return self.as_sql(compiler, connection, template="(%(expressions)s) / 100.0")


# The largest rate `engagement_rate` can hold (9 digits, 2 places), in hundredths: an absurd
# ratio (1 view, a million likes) is capped rather than failing the whole recompute.
MAX_RATE_HUNDREDTHS = 999_999_999


def ratio_hundredths(numerator, denominator) -> Least:
    """`round_half_up(numerator / denominator * 100, 2)` in hundredths, in integers only.

    Both operands are non-negative integers, and integer division is the same on every
    database, so SQLite and PostgreSQL agree to the last digit.
    """
    return Least(
        ExpressionWrapper(
            (numerator * Value(20000) + denominator) / (denominator * Value(2)),
            output_field=BigIntegerField(),
        ),
        Value(MAX_RATE_HUNDREDTHS),
    )


def interactions() -> Expression:
    """likes + comments + shares of the post's current stats, `NULL` counted as 0."""
    zero = Value(0)
    return ExpressionWrapper(
        Coalesce("likes", zero) + Coalesce("comments", zero) + Coalesce("shares", zero),
        output_field=BigIntegerField(),
    )


def engagement_rate(*, followers: Expression | None = None) -> Case:
    """The post's engagement rate (percent, 2 places) from its current stats.

    Per view when `views > 0`; else per follower, with `followers` the account's
    `followers@post_date` (given by `creators.metrics`, which owns accounts) when `> 0`;
    else `NULL`.
    """
    output = DecimalField(max_digits=9, decimal_places=2)
    whens = [When(views__gt=0, then=Hundredths(ratio_hundredths(interactions(), F("views"))))]
    if followers is not None:
        whens.append(
            When(
                GreaterThan(followers, 0),
                then=Hundredths(ratio_hundredths(interactions(), followers)),
            )
        )
    return Case(*whens, default=Value(None), output_field=output)


# --- History for charts -----------------------------------------------------------------------


def _before_first(gained_counter: str, owner_date: str | None, granularity: str, bucket):
    """On a bucket's first row, the row before it is the previous bucket's last one. Before
    the first snapshot ever, the value at the bucket's start: 0 for a post published in or
    after the bucket (rule 2), else the earliest snapshot, i.e. this row (rule 3)."""
    if owner_date is None:
        return F(gained_counter)
    zone = agency_timezone()
    published = Trunc(owner_date, granularity, output_field=DateTimeField(), tzinfo=zone)
    return Case(
        When(GreaterThanOrEqual(published, bucket), then=Value(0)),
        default=F(gained_counter),
        output_field=BigIntegerField(),
    )


def snapshot_history(
    snapshots: QuerySet,
    *,
    counters: tuple[str, ...],
    gained_counter: str,
    granularity: str,
    start: datetime | None = None,
    end: datetime | None = None,
    owner_date: str | None = None,
) -> QuerySet:
    """One point per `granularity` bucket (in the agency's zone) that has snapshots: the last
    snapshot's counters in it, and `gained`, the `gained_counter` gained since the previous
    point (for the first point ever: since the start of its bucket, by the rules of `X@t`).

    `snapshots` are one owner's, unfiltered by date: the windows see the whole history, so the
    first point in `[start, end]` still knows the point before it. `owner_date` names the owner's
    publication date (posts, for rule 2; accounts have none).
    Returns a values() queryset ordered by bucket, with keys `bucket`, `captured_at`, the
    counters and `gained`.
    """
    if granularity not in GRANULARITIES:
        raise ValueError(f"Unknown granularity {granularity!r}.")
    zone = agency_timezone()
    bucket = Trunc("captured_at", granularity, output_field=DateTimeField(), tzinfo=zone)
    in_bucket = {"partition_by": [bucket], "order_by": F("captured_at").asc()}
    whole_bucket = {**in_bucket, "frame": RowRange(start=None, end=None)}
    history = {"order_by": F("captured_at").asc()}
    annotations = {
        "bucket": bucket,
        "row_in_bucket": Window(RowNumber(), **in_bucket),
        "first_in_bucket": Window(FirstValue("captured_at"), **in_bucket),
        "captured_last": Window(LastValue("captured_at"), **whole_bucket),
    }
    for counter in counters:
        annotations[f"last_{counter}"] = Window(LastValue(counter), **whole_bucket)
    before_first = _before_first(gained_counter, owner_date, granularity, bucket)
    annotations["previous"] = Window(
        Lag(gained_counter, 1, default=before_first), output_field=BigIntegerField(), **history
    )
    queryset = (
        snapshots.order_by()
        .annotate(**annotations)
        .annotate(gained=F(f"last_{gained_counter}") - F("previous"))
        .filter(row_in_bucket=1)
    )
    if start is not None:
        # Window filters apply after the windows are computed: earlier points stay visible to LAG.
        queryset = queryset.filter(captured_last__gte=bucket_start(start, granularity))
    if end is not None:
        queryset = queryset.filter(first_in_bucket__lt=bucket_end(end, granularity))
    return queryset.values(
        "bucket", "captured_last", *[f"last_{c}" for c in counters], "gained"
    ).order_by("bucket")


def post_snapshot_history(*, post, **window) -> QuerySet:
    """A post's history, one point per bucket (`snapshot_history`'s `granularity`, `start`,
    `end`), with the views gained per bucket."""
    return snapshot_history(
        PostSnapshot.objects.filter(post=post),
        counters=COUNTERS,
        gained_counter="views",
        owner_date="post__post_date",
        **window,
    )


def daily_history(
    snapshots: QuerySet, *, counters: tuple[str, ...] = ("views",), start: datetime | None = None
) -> QuerySet:
    """One row per post and day (agency time zone) that has snapshots: `post_id`, `bucket`,
    the day's last value of each counter (`last_<counter>`) and `gained`, the views gained
    since the post's previous point (by the rules of `X@t` for its first point: 0 before
    publication, nothing gained before tracking began).

    `posts.metrics.snapshot_history` for many posts in one statement: the same windows,
    partitioned by post. `snapshots` is unfiltered by date so that the first point shown still
    sees the point before it; `start` keeps the days from the one that contains it.
    """
    zone = agency_timezone()
    bucket = Trunc("captured_at", "day", output_field=DateTimeField(), tzinfo=zone)
    in_bucket = {"partition_by": [F("post_id"), bucket], "order_by": F("captured_at").asc()}
    whole_bucket = {**in_bucket, "frame": RowRange(start=None, end=None)}
    published = Trunc("post__post_date", "day", output_field=DateTimeField(), tzinfo=zone)
    before_first = Case(
        When(GreaterThanOrEqual(published, bucket), then=Value(0)),
        default=F("views"),
        output_field=BigIntegerField(),
    )
    annotations = {
        "bucket": bucket,
        "row_in_bucket": Window(RowNumber(), **in_bucket),
        "first_in_bucket": Window(FirstValue("captured_at"), **in_bucket),
        "previous": Window(
            Lag("views", 1, default=before_first),
            partition_by=[F("post_id")],
            order_by=F("captured_at").asc(),
            output_field=BigIntegerField(),
        ),
    }
    for counter in dict.fromkeys(("views", *counters)):
        annotations[f"last_{counter}"] = Window(LastValue(counter), **whole_bucket)
    queryset = (
        snapshots.order_by()
        .annotate(**annotations)
        .annotate(gained=F("last_views") - F("previous"))
        .filter(row_in_bucket=1)
    )
    if start is not None:
        queryset = queryset.filter(first_in_bucket__gte=bucket_start(start, "day"))
    return queryset
