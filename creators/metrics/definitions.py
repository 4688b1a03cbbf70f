"""The definitions of the account figures (specs/metrics.md): which fields, the moments they
look at, and each figure as an ORM expression."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Coalesce, NullIf, Round

from core import windows
from posts.choices import BaseFormat
from posts.metrics import (
    Hundredths,
    Moment,
    engagement_rate,
    snapshot_value_at,
    views_gained,
)
from posts.models import Post

from ..models import AccountSnapshot

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
