"""Best time to post (specs/analytics.md): the views a post gained in its first hours, by the
local weekday and hour it was posted, over the agency's own posts.

One aggregate query: each post's first-window views are two correlated subqueries
(`views@(post_date + window)` - `views@post_date`, specs/metrics.md), grouped by the weekday and
hour of `post_date` in the agency's TIME_ZONE. A post counts only when it has a snapshot inside
its first window (the first refresh window available: the latest snapshot taken within the
first `BEST_TIME_WINDOW_HOURS` hours); a post first tracked later would bring its lifetime views,
so it is left out rather than guessed. A cell backed by fewer than `BEST_TIME_MIN_POSTS` posts
gives no value ("too few posts").

A post's figure no longer changes once its window has closed (snapshots are written at capture
time): `best_time_settle` (hourly) stores it in PostFirstWindow with the `post_date` it was
computed for, and the grid reads the stored figure (one join) instead of probing snapshots;
only posts not settled yet (the last day's, or whose `post_date` changed) are probed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.humanize.templatetags.humanize import intcomma
from django.db.models import (
    Avg,
    BigIntegerField,
    BooleanField,
    Case,
    Count,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractHour, ExtractIsoWeekDay
from django.template.defaultfilters import pluralize
from django.utils import timezone

from core.errors import DomainError
from core.jobs import WorkReport
from core.windows import agency_timezone, local_midnight
from posts.choices import Platform
from posts.models import Post, PostSnapshot
from settings_app.access import posts_visible_to

from .models import PostFirstWindow
from .queries import scope_members

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
SCOPES = ("account", "creator", "client")


def window_hours() -> int:
    return int(getattr(settings, "BEST_TIME_WINDOW_HOURS", 24))


def min_posts() -> int:
    return int(getattr(settings, "BEST_TIME_MIN_POSTS", 3))


@dataclass(frozen=True)
class Cell:
    weekday: int  # 0 = Monday, as publishing's PostingSlot
    hour: int
    posts: int
    avg_views: int | None  # None: too few posts

    @property
    def too_few(self) -> bool:
        return self.avg_views is None

    @property
    def weekday_name(self) -> str:
        return WEEKDAYS[self.weekday]


@dataclass
class BestTime:
    """A weekday x hour grid of cells; `cells[(weekday, hour)]` only where posts exist."""

    cells: dict[tuple[int, int], Cell]
    min_posts: int
    window_hours: int
    posts: int = 0
    best: list[Cell] = field(default_factory=list)

    @property
    def max_avg(self) -> int:
        values = [c.avg_views for c in self.cells.values() if c.avg_views is not None]
        return max(values, default=0)

    def cell(self, weekday: int, hour: int) -> Cell:
        return self.cells.get((weekday, hour)) or Cell(weekday, hour, 0, None)


def _snapshots() -> QuerySet:
    return PostSnapshot.objects.filter(post_id=OuterRef("pk")).order_by()


def first_window_views(hours: int) -> ExpressionWrapper:
    """`gained(views, [post_date, post_date + hours))` for a Post queryset (rule 2 of
    metrics.md makes `views@post_date` 0 unless a snapshot was taken at or before it)."""
    end = ExpressionWrapper(
        OuterRef("post_date") + Value(timedelta(hours=hours)), output_field=DateTimeField()
    )
    output = BigIntegerField()
    at_end = Subquery(
        _snapshots().filter(captured_at__lte=end).order_by("-captured_at").values("views")[:1],
        output_field=output,
    )
    at_start = Subquery(
        _snapshots()
        .filter(captured_at__lte=OuterRef("post_date"))
        .order_by("-captured_at")
        .values("views")[:1],
        output_field=output,
    )
    return ExpressionWrapper(at_end - Coalesce(at_start, Value(0)), output_field=output)


def _tracked_early(hours: int) -> Exists:
    end = ExpressionWrapper(
        OuterRef("post_date") + Value(timedelta(hours=hours)), output_field=DateTimeField()
    )
    return Exists(
        _snapshots().filter(
            captured_at__gt=OuterRef("post_date"), captured_at__lte=end, views__isnull=False
        )
    )


def scope_posts(
    posts: QuerySet[Post],
    *,
    account: int | None = None,
    creator: int | None = None,
    client: int | None = None,
) -> QuerySet[Post]:
    """`posts` of one account, one creator or one client: those of its accounts as the
    analytics API resolves them (`analytics.queries.scope_members`), and for a client also
    the posts attributed to it directly."""
    for scope, scope_id in (("account", account), ("creator", creator), ("client", client)):
        if scope_id is None:
            continue
        members = scope_members(scope, scope_id).values("pk")
        if scope != "client":
            return posts.filter(account_id__in=members)
        # The client's accounts read first: `account in (subquery) OR client = …` is a filter
        # PostgreSQL can check only row by row (it scans every post of the period), while a
        # list of ids OR the client is two index scans (the accounts' posts by (account, post
        # date), the posts attributed to the client by client), and estimated per account.
        ids = list(members.values_list("pk", flat=True))
        return posts.filter(Q(account_id__in=ids) | Q(client_id=client))
    return posts


def best_time_posts(
    user,
    *,
    platform: str | None = None,
    start_date: date | None = None,
    end_date: date | None = None,
    **scope,
) -> QuerySet[Post]:
    """The posts behind the grid: visible to `user`, of the scope, published (between the
    inclusive local dates when given), not trials."""
    qs = Post.objects.filter(post_date__isnull=False, is_trial=False)
    if platform:
        qs = qs.filter(platform=platform)
    if start_date:
        qs = qs.filter(post_date__gte=local_midnight(start_date))
    if end_date:
        qs = qs.filter(post_date__lt=local_midnight(end_date + timedelta(days=1)))
    return posts_visible_to(user, scope_posts(qs, **scope))


def best_time_grid(user, *, platform: str | None = None, **scope) -> BestTime:
    """The heat map's cells for what `user` may see of the scope (one aggregate query)."""
    hours, minimum = window_hours(), min_posts()
    tz = agency_timezone()
    # A post whose window has closed has its figure stored (PostFirstWindow, one join); only
    # the recent ones (and any not stored yet) probe their snapshots.
    stored = Q(first_window__post_date=F("post_date"), first_window__window_hours=hours)
    rows = (
        best_time_posts(user, platform=platform, **scope)
        .alias(
            counted=Case(
                When(stored, then=F("first_window__tracked")),
                When(_tracked_early(hours), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .filter(counted=True)
        .annotate(
            early_views=Case(
                When(stored, then=F("first_window__views")),
                default=first_window_views(hours),
                output_field=BigIntegerField(),
            ),
            weekday=ExtractIsoWeekDay("post_date", tzinfo=tz),
            hour=ExtractHour("post_date", tzinfo=tz),
        )
        .values("weekday", "hour")
        .annotate(posts=Count("pk"), avg=Avg(F("early_views")))
        .order_by()
    )
    cells = {}
    total = 0
    for row in rows:  # at most 7 x 24 rows
        weekday = row["weekday"] - 1
        total += row["posts"]
        value = round(row["avg"]) if row["posts"] >= minimum and row["avg"] is not None else None
        cells[(weekday, row["hour"])] = Cell(weekday, row["hour"], row["posts"], value)
    ranked = sorted(
        (c for c in cells.values() if c.avg_views is not None), key=lambda c: -c.avg_views
    )
    return BestTime(cells, minimum, hours, total, ranked[:5])


# How long after a post's window closed its figure is stored: a refresh in flight when the
# window closed may still write a snapshot captured inside it.
SETTLE_AFTER = timedelta(hours=6)
SETTLE_BATCH = 2000


def best_time_settle(*, now: datetime | None = None) -> WorkReport:
    """Store the first-window views (PostFirstWindow) of every post whose window closed more
    than SETTLE_AFTER ago and has no valid figure yet (new, its `post_date` changed, or the
    window setting changed); a batch per statement. Idempotent: a second run stores none."""
    now = now or timezone.now()
    hours = window_hours()
    report = WorkReport(kind="best_time_settle")
    valid = PostFirstWindow.objects.filter(
        post=OuterRef("pk"), post_date=OuterRef("post_date"), window_hours=hours
    )
    pending = (
        Post.objects.filter(post_date__lt=now - timedelta(hours=hours) - SETTLE_AFTER)
        .filter(~Exists(valid))
        .order_by("pk")
        .annotate(views_early=first_window_views(hours), tracked=_tracked_early(hours))
        .values_list("pk", "post_date", "tracked", "views_early")
    )
    after = 0
    while True:
        rows = list(pending.filter(pk__gt=after)[:SETTLE_BATCH])
        PostFirstWindow.objects.bulk_create(
            [
                PostFirstWindow(
                    post_id=pk,
                    post_date=post_date,
                    window_hours=hours,
                    tracked=tracked,
                    views=views if tracked else None,
                    computed_at=now,
                )
                for pk, post_date, tracked, views in rows
            ],
            update_conflicts=True,
            unique_fields=["post"],
            update_fields=["post_date", "window_hours", "tracked", "views", "computed_at"],
        )
        report.ok += len(rows)
        report.batches += 1
        if len(rows) < SETTLE_BATCH:
            return report
        after = rows[-1][0]


def best_time_params(params) -> dict:
    """Validated scope parameters (`account`, `creator`, `client`: ids, at most one;
    `platform`): a DomainError naming each bad one."""
    errors: dict[str, list[str]] = {}
    values: dict = {}
    for name in SCOPES:
        text = params.get(name)
        if text in (None, ""):
            continue
        if not (str(text).isascii() and str(text).isdigit()):
            errors[name] = ["An id (a whole number)."]
        else:
            values[name] = int(text)
    if len([n for n in SCOPES if params.get(n) not in (None, "")]) > 1:
        for name in SCOPES:
            if params.get(name) not in (None, ""):
                errors.setdefault(name, []).append("Give one scope: account, creator or client.")
    platform = params.get("platform")
    if platform not in (None, ""):
        if platform not in Platform.values:
            errors["platform"] = [f"One of {', '.join(Platform.values)}."]
        else:
            values["platform"] = platform
    for name in ("start_date", "end_date"):
        text = params.get(name)
        if text in (None, ""):
            continue
        try:
            values[name] = date.fromisoformat(text) if str(text).isascii() else None
        except ValueError:
            values[name] = None
        if values[name] is None or len(str(text)) != 10:
            values.pop(name, None)
            errors[name] = ["A date like 2026-03-18."]
    start, end = values.get("start_date"), values.get("end_date")
    if start and end and start > end:
        errors["end_date"] = ["On or after start_date."]
    unknown = sorted(set(params) - {*SCOPES, "platform", "format", "start_date", "end_date"})
    for name in unknown:
        errors[name] = ["Unknown parameter."]
    if errors:
        raise DomainError("Invalid best-time parameters.", fields=errors)
    return values


def heat_colour(value: int | None, top: int) -> str:
    """A colour from pale to deep blue by `value / top`; grey for a cell with too few posts."""
    if value is None or top <= 0:
        return "#eeeeee"
    share = max(0.0, min(1.0, value / top))
    # #e8f1fb -> #08306b
    start, end = (232, 241, 251), (8, 48, 107)
    rgb = [round(a + (b - a) * share) for a, b in zip(start, end, strict=True)]
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def compact(value: int | None) -> str:
    """12 345 -> "12.3k"; 2 400 000 -> "2.4M"."""
    if value is None:
        return ""
    for limit, suffix in ((1_000_000_000, "B"), (1_000_000, "M"), (1_000, "k")):
        if abs(value) >= limit:
            return f"{value / limit:.1f}".rstrip("0").rstrip(".") + suffix
    return str(value)


def _cell_title(day: str, hour: int, cell: Cell) -> str:
    """A cell's tooltip, "Mon 09:00 · 12 posts · avg 3,456 views": written here once per cell
    rather than by four template filters in each of the 168 cells."""
    title = f"{day} {hour:02d}:00 · {cell.posts} post{pluralize(cell.posts)}"
    if cell.avg_views is not None:
        title += f" · avg {intcomma(cell.avg_views)} views"
    return title


def heat_rows(grid: BestTime) -> list[dict]:
    """The grid as template rows: one per weekday, 24 cells each with colour and text."""
    top = grid.max_avg
    rows = []
    for weekday, name in enumerate(WEEKDAYS):
        cells = []
        for hour in range(24):
            cell = grid.cell(weekday, hour)
            cells.append(
                {
                    "hour": hour,
                    "posts": cell.posts,
                    "value": cell.avg_views,
                    "too_few": cell.posts > 0 and cell.avg_views is None,
                    "colour": heat_colour(cell.avg_views, top),
                    "label": compact(cell.avg_views),
                    "dark": cell.avg_views is not None and top and cell.avg_views / top > 0.55,
                    "title": _cell_title(name, hour, cell),
                }
            )
        rows.append({"weekday": weekday, "name": name, "cells": cells})
    return rows


SUGGESTIONS_PER_ACCOUNT = 3


def best_time_slot_suggestions(user, account_ids: list[int]) -> dict[int, list[dict]]:
    """publishing's slot-suggestions hook: each account's best cells (enough posts only), as
    plain dicts. One aggregate query per account (the slots page asks for a handful)."""
    answer: dict[int, list[dict]] = {}
    for account_id in account_ids:
        grid = best_time_grid(user, account=account_id)
        answer[account_id] = [
            {
                "weekday": cell.weekday,
                "hour": cell.hour,
                "label": (
                    f"{cell.weekday_name} {cell.hour:02d}:00 "
                    f"(avg {compact(cell.avg_views)} views, {cell.posts} posts)"
                ),
            }
            for cell in grid.best[:SUGGESTIONS_PER_ACCOUNT]
        ]
    return answer
