"""The report's figures, read from the daily rollups (`DailyAccountMetric`), never from raw
snapshots: headline figures of a period with the previous period of equal length, the daily
follower and views series, and the per-platform comparison. Each is a handful of aggregate
queries whatever the number of accounts and posts.

The one place reports read rollups: switch it to `analytics.queries` once that lands."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import BigIntegerField, F, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from creators.models import Account

from ..models import DailyAccountMetric

GAINED = ("views_gained", "likes_gained", "comments_gained", "shares_gained")


@dataclass(frozen=True)
class Headline:
    key: str
    label: str
    value: float | None
    previous: float | None
    percent: bool = False  # a rate shown with "%"

    @property
    def change_pct(self) -> float | None:
        """The change vs the previous period in %, or None when the previous is 0 or unknown."""
        if self.value is None or not self.previous:
            return None
        return round((self.value - self.previous) / abs(self.previous) * 100, 1)


def previous_period(start: date, end: date) -> tuple[date, date]:
    """The period of equal length just before `[start, end]`."""
    days = (end - start).days + 1
    return start - timedelta(days=days), start - timedelta(days=1)


def _rows(account_ids: QuerySet, start: date, end: date) -> QuerySet:
    return DailyAccountMetric.objects.filter(
        account_id__in=account_ids, date__gte=start, date__lte=end
    )


def followers_on(account_ids: QuerySet, day: date) -> int | None:
    """The scope's followers at the end of `day`: per account its latest rollup on or before
    `day`, summed (None when no account has one)."""
    latest = (
        DailyAccountMetric.objects.filter(account_id=OuterRef("pk"), date__lte=day)
        .order_by("-date")
        .values("followers")[:1]
    )
    return (
        Account.objects.filter(pk__in=account_ids)
        .annotate(f=Subquery(latest, output_field=BigIntegerField()))
        .aggregate(total=Sum("f"))["total"]
    )


def _totals(account_ids: QuerySet, start: date, end: date) -> dict:
    sums = _rows(account_ids, start, end).aggregate(
        posts=Coalesce(Sum("posts_published"), 0),
        **{name: Coalesce(Sum(name), 0) for name in GAINED},
    )
    followers_end = followers_on(account_ids, end)
    followers_before = followers_on(account_ids, start - timedelta(days=1))
    sums["followers"] = followers_end
    sums["followers_gained"] = (
        followers_end - followers_before
        if followers_end is not None and followers_before is not None
        else None
    )
    interactions = sums["likes_gained"] + sums["comments_gained"] + sums["shares_gained"]
    sums["engagement_rate"] = (
        round(interactions / sums["views_gained"] * 100, 2) if sums["views_gained"] > 0 else None
    )
    return sums


HEADLINES = (
    ("followers", "Followers", False),
    ("followers_gained", "Followers gained", False),
    ("views_gained", "Views", False),
    ("likes_gained", "Likes", False),
    ("comments_gained", "Comments", False),
    ("shares_gained", "Shares", False),
    ("posts", "Posts published", False),
    ("engagement_rate", "Engagement rate", True),
)


def headline_figures(account_ids: QuerySet, start: date, end: date) -> list[Headline]:
    """The period's headline figures, each with the previous period's value."""
    now = _totals(account_ids, start, end)
    before = _totals(account_ids, *previous_period(start, end))
    return [
        Headline(key, label, now[key], before[key], percent) for key, label, percent in HEADLINES
    ]


def daily_series(account_ids: QuerySet, start: date, end: date) -> dict[str, list]:
    """Per local day of `[start, end]`: the scope's followers and views gained (days without a
    rollup give None and 0)."""
    by_day = {
        row["date"]: row
        for row in _rows(account_ids, start, end)
        .order_by()
        .values("date")
        .annotate(followers=Sum("followers"), views=Sum("views_gained"))
    }
    days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    return {
        "labels": [day.strftime("%d %b") for day in days],
        "followers": [by_day.get(day, {}).get("followers") for day in days],
        "views": [by_day.get(day, {}).get("views") or 0 for day in days],
    }


def platform_comparison(account_ids: QuerySet, start: date, end: date) -> list[dict]:
    """Per platform: accounts, views, likes, comments, shares, posts in the period."""
    return list(
        _rows(account_ids, start, end)
        .annotate(platform=F("account__platform"))
        .order_by()
        .values("platform")
        .annotate(
            views=Sum("views_gained"),
            likes=Sum("likes_gained"),
            comments=Sum("comments_gained"),
            shares=Sum("shares_gained"),
            posts=Sum("posts_published"),
        )
        .order_by("-views", "platform")
    )
