"""Analytics reads (specs/analytics.md): which accounts a question is about (scope and role),
and the figures of a period read from the daily rollups, in SQL.

The functions take an Account queryset (from `scope_accounts`) and a `Period`, and return
plain dicts (JSON-ready but for dates), so the API, the admin page and the PDF reports show
the same numbers:

    accounts = scope_accounts(user=request.user, scope="client", scope_id=3, platforms=["tiktok"])
    period = Period(start=date(2026, 3, 1), end=date(2026, 3, 31), granularity="week")
    overview(accounts=accounts, period=period)

Every answer has `period`, `previous_period` (the same number of days just before),
`totals`, `previous` and `change` (in %, NULL when the previous value is 0 or unknown); the
series have one point per bucket (day, week from Monday, month), each bucket cut to the
period. `followers` is the value at the end of the period (or bucket): the last rolled-up day.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import connections, transaction
from django.db.models import (
    BigIntegerField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import Cast, TruncMonth, TruncWeek

from core import windows
from creators.models import Account
from posts.choices import Platform
from posts.metrics import value_at
from posts.models import Post
from settings_app.access import accounts_visible_to, posts_visible_to

from .models import DailyAccountMetric, DailyPostMetric

SCOPES = ("client", "creator", "account", "campaign", "board", "editor")
MAX_PERIOD_DAYS = 731  # "at most 2 years"
CONTENT_LIMIT = 10  # top and bottom posts of `content`

# The headline figures, in the order the admin page and the PDF reports show them.
HEADLINES = (
    ("followers", "Followers"),
    ("followers_gained", "Followers gained"),
    ("views_gained", "Views gained"),
    ("likes_gained", "Likes gained"),
    ("comments_gained", "Comments gained"),
    ("shares_gained", "Shares gained"),
    ("posts_published", "Posts published"),
    ("engagement_rate", "Engagement rate %"),
)

GAINED = ("views_gained", "likes_gained", "comments_gained", "shares_gained", "posts_published")
METRICS = ("followers", "followers_gained", *GAINED, "engagement_rate")


class AnalyticsQueryError(ValueError):
    """A question that cannot be answered as asked; `field` names the parameter at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


# --- Periods ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """Local days `start`..`end`, both included, cut into `granularity` buckets."""

    start: date
    end: date
    granularity: str = "day"

    def __post_init__(self) -> None:
        if self.granularity not in windows.GRANULARITIES:
            raise AnalyticsQueryError(
                "granularity", f"Use one of {', '.join(windows.GRANULARITIES)}."
            )
        if self.end < self.start:
            raise AnalyticsQueryError("end_date", "The end date is before the start date.")
        if self.days > MAX_PERIOD_DAYS:
            raise AnalyticsQueryError(
                "end_date", f"A period is at most {MAX_PERIOD_DAYS} days (2 years)."
            )

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def previous(self) -> Period:
        end = self.start - timedelta(days=1)
        return Period(end - timedelta(days=self.days - 1), end, self.granularity)

    @property
    def window(self) -> windows.Window:
        """`[local 00:00 of start, local 00:00 after end)`."""
        return day_window(self.start)[0], day_window(self.end)[1]

    def buckets(self) -> list[tuple[date, date, date]]:
        """(bucket start, first day in the period, last day in the period) per bucket."""
        result, day = [], self.start
        while day <= self.end:
            if self.granularity == "day":
                first, following = day, day + timedelta(days=1)
            elif self.granularity == "week":
                first = day - timedelta(days=day.weekday())
                following = first + timedelta(days=7)
            else:
                first = day.replace(day=1)
                following = (first + timedelta(days=32)).replace(day=1)
            last = min(following - timedelta(days=1), self.end)
            result.append((first, day, last))
            day = last + timedelta(days=1)
        return result

    def as_dict(self) -> dict:
        return {"start_date": self.start, "end_date": self.end, "days": self.days}


def default_period(*, today: date, granularity: str = "day", days: int = 30) -> Period:
    """The last `days` complete local days (rollups run nightly: today is not rolled up)."""
    end = today - timedelta(days=1)
    return Period(end - timedelta(days=days - 1), end, granularity)


def day_window(day: date) -> windows.Window:
    """The local day `day` as the window `[00:00, next 00:00)` (23 or 25 hours across DST)."""
    return windows.local_midnight(day), windows.local_midnight(day + timedelta(days=1))


def gained(counter: str, start: datetime, end: datetime) -> ExpressionWrapper:
    """`gained(counter, [start, end))` of a post (for a Post queryset): the metrics engine's
    `X@end - X@start` (posts.metrics.views_gained, for any counter)."""
    return ExpressionWrapper(
        value_at(counter, end) - value_at(counter, start), output_field=BigIntegerField()
    )


# Raw PostgreSQL connection -> whether its session has JIT on by default (read once each).
_JIT_ON: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
# The connections (aliases) inside a jit_disabled block of this thread or task.
_JIT_OFF_BLOCK: ContextVar[frozenset[str]] = ContextVar("jit_off_block", default=frozenset())


@contextmanager
def jit_disabled(using: str = "default") -> Iterator[None]:
    """The statements inside run without PostgreSQL's JIT: in a transaction with `SET LOCAL
    jit = off`, or, where the server already has it off for our sessions (`ALTER ROLE … SET
    jit = off`), as they are: no BEGIN, SET and COMMIT, three round trips a request."""
    connection = connections[using]
    # Nested inside another (a figure inside an answer): that one's SET LOCAL holds.
    if (
        connection.vendor != "postgresql"
        or using in _JIT_OFF_BLOCK.get()
        or not _jit_on(connection)
    ):
        yield
        return
    with transaction.atomic(using=using):
        jit_off(using)
        token = _JIT_OFF_BLOCK.set(_JIT_OFF_BLOCK.get() | {using})
        try:
            yield
        finally:
            _JIT_OFF_BLOCK.reset(token)


def _jit_on(connection) -> bool:
    connection.ensure_connection()
    raw = connection.connection
    on = _JIT_ON.get(raw)
    if on is None:
        with connection.cursor() as cursor:
            # The session's own value (server, database, role), not one a SET LOCAL of the
            # transaction under way gives.
            cursor.execute("SELECT reset_val = 'on' FROM pg_settings WHERE name = 'jit'")
            on = _JIT_ON.setdefault(raw, cursor.fetchone()[0])
    return on


def jit_off(using: str = "default") -> None:
    """Inside a transaction, PostgreSQL's JIT off for its remaining statements. The metrics'
    correlated subqueries (four counters at two moments) cost PostgreSQL seconds of JIT
    compilation for milliseconds of work; the statements are index probes, JIT gains nothing."""
    connection = connections[using]
    if connection.vendor == "postgresql" and connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")


# --- Scope ------------------------------------------------------------------------------------


def _campaign_accounts(campaign_id: int) -> Q:
    """A workflow campaign's accounts: its tasks' target accounts, the accounts its tasks
    published on, and the accounts of the creators of its deliverables and tasks."""
    return (
        Q(content_tasks__campaign_id=campaign_id)
        | Q(posts__content_tasks__campaign_id=campaign_id)
        | Q(creator__deliverables__campaign_id=campaign_id)
        | Q(creator__tasks__campaign_id=campaign_id)
    )


def _scope_filter(scope: str, scope_id: int) -> Q:
    if scope == "client":
        return Q(client_id=scope_id)
    if scope == "creator":
        return Q(creator_id=scope_id)
    if scope == "account":
        return Q(pk=scope_id)
    if scope == "board":
        return Q(boards__id=scope_id)
    if scope == "editor":
        return Q(editor_id=scope_id)
    return _campaign_accounts(scope_id)


def scope_members(scope: str, scope_id: int) -> QuerySet[Account]:
    """The accounts of one `scope` (one of SCOPES) with id `scope_id`, unchecked and with no
    role applied: none when it does not exist (`scope_accounts` checks and scopes by role)."""
    return Account.objects.filter(_scope_filter(scope, scope_id))


def _scope_exists(scope: str, scope_id: int) -> bool:
    from django.apps import apps

    model = {
        "client": "settings_app.Client",
        "creator": "creators.Creator",
        "account": "creators.Account",
        "campaign": "workflow.Campaign",
        "board": "settings_app.Board",
        "editor": "settings_app.Editor",
    }[scope]
    return apps.get_model(model).objects.filter(pk=scope_id).exists()


def scope_accounts(
    *,
    user=None,
    scope: str | None = None,
    scope_id: int | None = None,
    platforms: list[str] | None = None,
) -> QuerySet[Account]:
    """The accounts a question is about: every account, or those of one `scope` (one of
    SCOPES) with id `scope_id`, on `platforms` (default: all), that `user` may see (an editor
    its own, a creator's login only its own). `user=None` applies no role (jobs, reports).
    Raises AnalyticsQueryError naming the parameter at fault."""
    accounts = Account.objects.all()
    if scope is not None:
        if scope not in SCOPES:
            raise AnalyticsQueryError("scope", f"Use one of {', '.join(SCOPES)}.")
        if scope_id is None or not _scope_exists(scope, scope_id):
            raise AnalyticsQueryError(scope, f"No {scope} with id {scope_id}.")
        accounts = accounts.filter(pk__in=scope_members(scope, scope_id).values("pk"))
    if platforms:
        unknown = sorted(set(platforms) - set(Platform.values))
        if unknown:
            raise AnalyticsQueryError(
                "platforms",
                f"Unknown platform {', '.join(unknown)}; use {', '.join(Platform.values)}.",
            )
        accounts = accounts.filter(platform__in=platforms)
    if user is not None:
        accounts = accounts_visible_to(user, accounts)
    return accounts


# --- Figures ----------------------------------------------------------------------------------


def _rows(accounts: QuerySet[Account]) -> QuerySet[DailyAccountMetric]:
    return DailyAccountMetric.objects.filter(account_id__in=accounts.values("pk")).order_by()


def _rate(figures: dict) -> float | None:
    views = figures.get("views_gained") or 0
    if views <= 0:
        return None
    interactions = sum(figures.get(f) or 0 for f in ("likes_gained", "comments_gained"))
    interactions += figures.get("shares_gained") or 0
    return round(interactions * 100 / views, 2)


def _period_aggregates(prefix: str, period: Period) -> dict:
    within = Q(date__gte=period.start, date__lte=period.end)
    aggregates = {f"{prefix}{name}": Sum(name, filter=within) for name in GAINED}
    aggregates[f"{prefix}followers"] = Sum("followers", filter=Q(date=period.end))
    aggregates[f"{prefix}followers_before"] = Sum(
        "followers", filter=Q(date=period.start - timedelta(days=1))
    )
    return aggregates


def _figures(values: dict, prefix: str) -> dict:
    figures = {name: values.get(f"{prefix}{name}") or 0 for name in GAINED}
    followers, before = values.get(f"{prefix}followers"), values.get(f"{prefix}followers_before")
    figures["followers"] = followers
    figures["followers_gained"] = (
        None if followers is None or before is None else followers - before
    )
    figures["engagement_rate"] = _rate(figures)
    return {name: figures[name] for name in METRICS}


def change_percent(current, previous) -> float | None:
    """(current - previous) / |previous| in %, 1 place; NULL when previous is 0 or unknown."""
    if current is None or not previous:
        return None
    return round((current - previous) * 100 / abs(previous), 1)


def _compared(values: dict) -> dict:
    totals, previous = _figures(values, "cur_"), _figures(values, "prev_")
    return {
        "totals": totals,
        "previous": previous,
        "change": {name: change_percent(totals[name], previous[name]) for name in METRICS},
    }


def _totals_query(rows: QuerySet, period: Period) -> QuerySet:
    previous = period.previous
    return rows.filter(date__gte=previous.start - timedelta(days=1), date__lte=period.end), {
        **_period_aggregates("cur_", period),
        **_period_aggregates("prev_", previous),
    }


def headlines(answer: dict) -> list[dict]:
    """The totals of an answer (`totals`, `overview`...) as the rows shown: `key`, `label`,
    `value`, `previous`, `change` (in %), in HEADLINES order."""
    return [
        {
            "key": key,
            "label": label,
            "value": answer["totals"][key],
            "previous": answer["previous"][key],
            "change": answer["change"][key],
        }
        for key, label in HEADLINES
    ]


def totals(*, accounts: QuerySet[Account], period: Period) -> dict:
    """The period's figures and the previous period's, with the change in %: one query."""
    rows, aggregates = _totals_query(_rows(accounts), period)
    return _compared(rows.aggregate(**aggregates))


def series(
    *, accounts: QuerySet[Account], period: Period, with_followers: bool = True
) -> list[dict]:
    """One point per bucket: `bucket` (its first day), the sums of the gains in it and
    `followers` at its last day (with `followers_gained` since the previous bucket's end).
    Two grouped queries by week or month, one by day or with `with_followers=False` (then
    both are None)."""
    rows = _rows(accounts)
    buckets = period.buckets()
    ends = [period.start - timedelta(days=1), *(last for _, _, last in buckets)]
    if period.granularity == "day" and with_followers:
        # Every day is a bucket and a bucket's end: the gains and the followers in one grouped
        # query. It reads the day before the period too, whose followers only are used (for
        # the first day's gain): no bucket is that day.
        daily = (
            rows.filter(date__gte=ends[0], date__lte=period.end)
            .values("date")
            .annotate(**{name: Sum(name) for name in GAINED}, followers_at_end=Sum("followers"))
        )
        gains = {_as_date(point.pop("date")): point for point in daily}
        followers = {day: point.pop("followers_at_end") for day, point in gains.items()}
    else:
        bucket = {"day": F("date"), "week": TruncWeek("date"), "month": TruncMonth("date")}
        grouped = (
            rows.filter(date__gte=period.start, date__lte=period.end)
            .annotate(bucket=bucket[period.granularity])
            .values("bucket")
            .annotate(**{name: Sum(name) for name in GAINED})
        )
        gains = {_as_date(point.pop("bucket")): point for point in grouped}
        followers = {}
        if with_followers:  # at the buckets' ends (and the day before the period)
            at_ends = rows.filter(date__in=ends).values("date").annotate(total=Sum("followers"))
            followers = dict(at_ends.values_list("date", "total"))
    points, before = [], followers.get(ends[0])
    for first, _, last in buckets:
        point = {"bucket": first, **{name: 0 for name in GAINED}}
        point.update({k: v or 0 for k, v in gains.get(first, {}).items()})
        at_end = followers.get(last)
        point["followers"] = at_end
        point["followers_gained"] = None if at_end is None or before is None else at_end - before
        point["engagement_rate"] = _rate(point)
        points.append(point)
        before = at_end
    return points


def _as_date(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    return value


FOLLOWERS = {"followers", "followers_gained"}


def _answer(accounts: QuerySet[Account], period: Period, fields: tuple[str, ...]) -> dict:
    with jit_disabled():
        return _answer_figures(accounts, period, fields)


def _answer_figures(accounts: QuerySet[Account], period: Period, fields: tuple[str, ...]) -> dict:
    answer = {
        "period": period.as_dict(),
        "previous_period": period.previous.as_dict(),
        "granularity": period.granularity,
        **totals(accounts=accounts, period=period),
    }
    keep = ("bucket", *fields)
    answer["series"] = [
        {k: v for k, v in point.items() if k in keep}
        # content and engagement show no followers: their query is skipped.
        for point in series(
            accounts=accounts, period=period, with_followers=bool(FOLLOWERS & set(fields))
        )
    ]
    return answer


def overview(*, accounts: QuerySet[Account], period: Period) -> dict:
    """Headline figures with the change vs the previous period, and the followers and views
    per bucket."""
    return _answer(accounts, period, ("followers", "followers_gained", "views_gained"))


def growth(*, accounts: QuerySet[Account], period: Period) -> dict:
    """Followers at each bucket's end and gained in it."""
    return _answer(accounts, period, ("followers", "followers_gained"))


def engagement(*, accounts: QuerySet[Account], period: Period) -> dict:
    """Views, likes, comments, shares gained per bucket, and the engagement rate."""
    return _answer(accounts, period, (*GAINED[:4], "engagement_rate"))


# The columns `_post_dict` reads (not the caption, the AI bookkeeping...).
POST_FIELDS = (
    "url",
    "platform",
    "account_id",
    "username",
    "post_date",
    "thumbnail_url",
    "views",
    "idea_concept",
    "category__name",
    "reel_style",
    "base_format",
    "content_type",
)


def _post_dict(post: Post) -> dict:
    return {
        "id": post.pk,
        "url": post.url,
        "platform": post.platform,
        "account": post.account_id,
        "username": post.username,
        "post_date": post.post_date,
        "thumbnail_url": post.thumbnail_url,
        "views_gained": post.views_gained,
        "views": post.views,
        "idea_concept": post.idea_concept,
        "category": post.category.name if post.category_id else None,
        "subcategories": [s.name for s in post.subcategories.all()],
        "reel_style": post.reel_style,
        "base_format": post.base_format,
        "content_type": post.content_type,
    }


# The period's per-post sums once, then the `limit` highest and the `limit` lowest: two bounded
# top-N sorts of the sums instead of two full sorts (ROW_NUMBER windows) of every post that
# moved. Each ORDER BY ends on post_id, so equal gains keep one order on every database.
RANKED_SQL = """
WITH sums AS ({sums})
SELECT * FROM (
    SELECT 1 AS top, post_id, views_gained FROM sums
    ORDER BY views_gained DESC, post_id DESC LIMIT %s
) AS high
UNION ALL
SELECT * FROM (
    SELECT 0 AS top, post_id, views_gained FROM sums
    ORDER BY views_gained ASC, post_id ASC LIMIT %s
) AS low
"""


def top_posts(
    *,
    accounts: QuerySet[Account],
    period: Period,
    user=None,
    limit: int = CONTENT_LIMIT,
    posts: QuerySet[Post] | None = None,
) -> dict:
    """The `limit` counted posts that gained the most views in the period, and the `limit`
    that gained the least (among those that moved in it), with their AI labels: the sums of
    their DailyPostMetric rows (so, like every figure here, only rolled-up days count: today
    is not until the nightly job), then the posts' labels. Equal gains: the higher post id
    first in the top, the lower first in the bottom. `posts` narrows them (a campaign's
    posts); `user` applies the role."""
    # The account ids read first, as the insight card does: the statement is then planned from
    # the rollups' statistics per account, not from `creators_account`'s, which may be stale
    # (a client given hundreds of accounts since the last ANALYZE), and probes the index by id.
    ids = list(accounts.order_by().values_list("pk", flat=True))
    if not ids:
        return {"top": [], "bottom": []}
    rows = DailyPostMetric.objects.filter(
        account_id__in=ids, date__gte=period.start, date__lte=period.end
    )
    if posts is not None:
        rows = rows.filter(post_id__in=posts.values("pk"))
    if user is not None:  # a join only for a role that sees some posts, none for the rest
        rows = posts_visible_to(user, rows, through="post__")
    sums = (
        rows.order_by()
        .values("post_id")
        # An integer, not PostgreSQL's numeric SUM: cheaper to sort, and an int in Python.
        .annotate(views_gained=Cast(Sum("views_gained"), BigIntegerField()))
        .filter(views_gained__isnull=False)
    )
    sql, params = sums.query.sql_with_params()
    with jit_disabled(sums.db), connections[sums.db].cursor() as cursor:
        cursor.execute(RANKED_SQL.format(sums=sql), [*params, limit, limit])
        ranked = cursor.fetchall()
    # UNION ALL promises no order: each list is sorted here by its ORDER BY.
    top = sorted((r for r in ranked if r[0]), key=lambda r: (r[2], r[1]), reverse=True)
    bottom = sorted((r for r in ranked if not r[0]), key=lambda r: (r[2], r[1]))
    found = (
        Post.objects.filter(pk__in={post_id for _, post_id, _ in ranked})
        .select_related("category")
        .prefetch_related("subcategories")
        .only(*POST_FIELDS)
        .in_bulk()
    )

    def listed(ranked: list[tuple]) -> list[dict]:
        out = []
        for _, post_id, views_gained in ranked:
            post = found[post_id]
            post.views_gained = views_gained
            out.append(_post_dict(post))
        return out

    return {"top": listed(top), "bottom": listed(bottom)}


def content(
    *, accounts: QuerySet[Account], period: Period, user=None, limit: int = CONTENT_LIMIT
) -> dict:
    """Posts published per bucket, and the top and bottom posts by views gained. One
    transaction for JIT off (`jit_disabled`), not one per part."""
    with jit_disabled():
        answer = _answer(accounts, period, ("posts_published", "views_gained"))
        answer.update(top_posts(accounts=accounts, period=period, user=user, limit=limit))
    return answer


def compare(*, accounts: QuerySet[Account], period: Period) -> dict:
    """The period's figures per platform side by side (with the previous period and the
    change): one grouped query."""
    rows, aggregates = _totals_query(_rows(accounts), period)
    grouped = rows.values("account__platform").annotate(**aggregates).order_by("account__platform")
    with jit_disabled():
        grouped = list(grouped)
    labels = dict(Platform.choices)
    return {
        "period": period.as_dict(),
        "previous_period": period.previous.as_dict(),
        "platforms": [
            {
                "platform": values["account__platform"],
                "label": labels.get(values["account__platform"], values["account__platform"]),
                **_compared(values),
            }
            for values in grouped
        ],
    }
