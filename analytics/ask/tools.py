"""The fixed, read-only tools "ask the workspace" offers the model. Each one reuses the
project's queries and scoping (settings_app.access): an editor's tools see only its own rows,
a creator's login only its own. Nothing is written and no SQL is generated: arguments are
checked values that pick among fixed filters.

Every row has a `ref` ("account:12"), a label and its admin link."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django.db.models import F, QuerySet
from django.urls import reverse
from django.utils import timezone

from ai.ask import Row, Tool, ToolArgumentError
from core import windows
from core.errors import DomainError
from creators.models import Account
from finance.choices import StatementStatus
from finance.models import PayoutStatement
from finance.queries import parse_month
from posts.choices import Platform, ReelStyle
from posts.metrics import views_gained
from posts.models import Post
from posts.queries import posts_moving_in
from settings_app.access import (
    accounts_visible_to,
    campaigns_visible_to,
    posts_visible_to,
    tasks_visible_to,
)
from settings_app.models import Category, Subcategory
from workflow.choices import BOARD_COLUMNS, CampaignStatus
from workflow.models import Campaign, ContentTask
from workflow.queries import campaigns_progress, overdue_q

MAX_LIMIT = 20
DEFAULT_LIMIT = 10

# The account figures (specs/metrics.md) a question may rank accounts by: field -> what it is.
ACCOUNT_METRICS = {
    "followers": "followers now",
    "followers_since_1st_of_month": "followers gained since the 1st of this month",
    "followers_since_monday": "followers gained since Monday",
    "views_since_1st_of_month": "views gained since the 1st of this month",
    "views_last_7d": "views gained in the last 7 days",
    "views_last_30d": "views gained in the last 30 days",
    "views_last_90d": "views gained in the last 90 days",
    "views_last_calendar_week": "views gained last calendar week",
    "views_last_calendar_month": "views gained last calendar month",
    "avg_views": "average views per post",
    "avg_engagement_rate": "average engagement rate",
}
DIRECTIONS = ("highest", "lowest", "down", "up")
PERIODS = ("last_7_days", "last_30_days", "last_90_days", "this_month", "last_month")
PLATFORMS = [p.value for p in Platform]

_platform = {"type": "string", "enum": PLATFORMS, "description": "instagram, tiktok or youtube"}
_limit = {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "description": "rows (10)"}
_period = {"type": "string", "enum": list(PERIODS), "description": "a time window"}
_username = {"type": "string", "maxLength": 100, "description": "an account's handle"}

TOOLS = [
    Tool(
        "accounts_by_metric",
        "Tracked accounts ranked by one of their figures: followers, followers gained (this "
        "month, this week), views gained (7/30/90 days, last week, last month, this month), "
        "average views or engagement. direction: highest or lowest first, or only those down "
        "(below 0) or up (above 0).",
        {
            "type": "object",
            "properties": {
                "metric": {"type": "string", "enum": list(ACCOUNT_METRICS)},
                "direction": {"type": "string", "enum": list(DIRECTIONS)},
                "platform": _platform,
                "username": _username,
                "limit": _limit,
            },
            "required": ["metric"],
            "additionalProperties": False,
        },
    ),
    Tool(
        "posts_by_label",
        "Posts published in a period with given labels (category, sub-category, reel style, "
        "platform, account), most viewed first.",
        {
            "type": "object",
            "properties": {
                "period": _period,
                "category": {"type": "string", "maxLength": 100},
                "subcategory": {"type": "string", "maxLength": 100},
                "reel_style": {"type": "string", "enum": [s.value for s in ReelStyle]},
                "platform": _platform,
                "username": _username,
                "limit": _limit,
            },
            "required": ["period"],
            "additionalProperties": False,
        },
    ),
    Tool(
        "top_posts_by_views",
        "The posts that gained the most views in a period (whenever they were published).",
        {
            "type": "object",
            "properties": {
                "period": _period,
                "platform": _platform,
                "username": _username,
                "limit": _limit,
            },
            "required": ["period"],
            "additionalProperties": False,
        },
    ),
    Tool(
        "campaign_progress",
        "Campaigns with units promised, delivered (published) and overdue.",
        {
            "type": "object",
            "properties": {
                "status": {"type": "string", "enum": [s.value for s in CampaignStatus]},
                "name_contains": {"type": "string", "maxLength": 100},
                "limit": _limit,
            },
            "required": [],
            "additionalProperties": False,
        },
    ),
    Tool(
        "statements",
        "Monthly payout statements (per finance item) with their status and amounts.",
        {
            "type": "object",
            "properties": {
                "month": {"type": "string", "maxLength": 7, "description": "YYYY-MM"},
                "status": {"type": "string", "enum": [s.value for s in StatementStatus]},
                "limit": _limit,
            },
            "required": [],
            "additionalProperties": False,
        },
    ),
    Tool(
        "content_tasks",
        "Content tasks on the Kanban board, by column, optionally only the overdue ones.",
        {
            "type": "object",
            "properties": {
                "column": {"type": "string", "enum": [c.value for c in BOARD_COLUMNS]},
                "overdue_only": {"type": "boolean"},
                "limit": _limit,
            },
            "required": [],
            "additionalProperties": False,
        },
    ),
]


def period_window(period: str, now: datetime) -> tuple[datetime, datetime]:
    if period == "last_7_days":
        return windows.last_days(now, 7)
    if period == "last_30_days":
        return windows.last_days(now, 30)
    if period == "last_90_days":
        return windows.last_days(now, 90)
    if period == "last_month":
        return windows.last_calendar_month(now)
    return windows.this_month(now)


def _row(kind: str, admin_model: str, pk: int, label: str, fields: dict) -> Row:
    """A row the answer may cite as `kind:pk`, linked to its admin page."""
    return Row(
        ref=f"{kind}:{pk}",
        label=label,
        link=reverse(f"admin:{admin_model}_change", args=[pk]),
        fields=fields,
    )


class WorkspaceTools:
    """The tools, bound to the asking user (their scoping) and to `now`."""

    def __init__(self, user, *, now: datetime | None = None) -> None:
        self.user = user
        self.now = now or timezone.now()
        self._run: dict[str, Callable[[dict], list[Row]]] = {
            "accounts_by_metric": self.accounts_by_metric,
            "posts_by_label": self.posts_by_label,
            "top_posts_by_views": self.top_posts_by_views,
            "campaign_progress": self.campaign_progress,
            "statements": self.statements,
            "content_tasks": self.content_tasks,
        }

    def __call__(self, name: str, args: dict) -> list[Row]:
        return self._run[name](args)

    # --- accounts and posts ----------------------------------------------------------------

    def _accounts(self, args: dict) -> QuerySet[Account]:
        qs = accounts_visible_to(self.user, Account.objects.all())
        if args.get("platform"):
            qs = qs.filter(platform=args["platform"])
        if args.get("username"):
            qs = qs.filter(username__iexact=args["username"].lstrip("@"))
        return qs

    def accounts_by_metric(self, args: dict) -> list[Row]:
        metric, direction = args["metric"], args.get("direction", "highest")
        qs = self._accounts(args).filter(**{f"{metric}__isnull": False})
        if direction == "down":
            qs = qs.filter(**{f"{metric}__lt": 0})
        elif direction == "up":
            qs = qs.filter(**{f"{metric}__gt": 0})
        order = metric if direction in ("lowest", "down") else f"-{metric}"
        qs = qs.order_by(order, "pk")[: args.get("limit", DEFAULT_LIMIT)]
        return [
            _row(
                "account",
                "creators_account",
                a["pk"],
                f"@{a['username']} ({a['platform']})",
                {ACCOUNT_METRICS[metric]: a[metric], "followers": a["followers"]},
            )
            for a in qs.values("pk", "username", "platform", "followers", metric)
        ]

    def _posts(self, args: dict) -> QuerySet[Post]:
        qs = posts_visible_to(self.user, Post.objects.all())
        if args.get("platform"):
            qs = qs.filter(platform=args["platform"])
        if args.get("username"):
            qs = qs.filter(account__username__iexact=args["username"].lstrip("@"))
        return qs

    @staticmethod
    def _post_row(p: dict, **fields) -> Row:
        return _row(
            "post",
            "posts_post",
            p["pk"],
            f"@{p['username'] or '?'} {p['platform']} post {p['post_id']}",
            {"posted": p["post_date"], "views": p["views"], **fields},
        )

    def posts_by_label(self, args: dict) -> list[Row]:
        start, end = period_window(args["period"], self.now)
        qs = self._posts(args).filter(post_date__gte=start, post_date__lt=end)
        if args.get("category"):
            category = Category.objects.filter(name__iexact=args["category"]).first()
            if category is None:
                known = ", ".join(Category.objects.order_by("name").values_list("name", flat=True))
                raise ToolArgumentError(f"category {args['category']!r} is unknown; use {known}.")
            qs = qs.filter(category=category)
        if args.get("subcategory"):
            subs = Subcategory.objects.filter(name__iexact=args["subcategory"])
            if not subs.exists():
                raise ToolArgumentError(f"subcategory {args['subcategory']!r} is unknown.")
            qs = qs.filter(subcategories__in=subs).distinct()
        if args.get("reel_style"):
            qs = qs.filter(reel_style=args["reel_style"])
        # Posts without a view count (photos) last, on PostgreSQL as on SQLite.
        qs = qs.order_by(F("views").desc(nulls_last=True), "-pk")[
            : args.get("limit", DEFAULT_LIMIT)
        ]
        return [
            self._post_row(p, category=p["category__name"], reel_style=p["reel_style"])
            for p in qs.values(
                "pk",
                "username",
                "platform",
                "post_id",
                "post_date",
                "views",
                "category__name",
                "reel_style",
            )
        ]

    def top_posts_by_views(self, args: dict) -> list[Row]:
        start, end = period_window(args["period"], self.now)
        end = min(end, self.now)
        qs = (
            self._posts(args)
            .filter(posts_moving_in((start, end)))
            .annotate(gained=views_gained(start, end))
            .filter(gained__gt=0)
            .order_by("-gained", "-pk")[: args.get("limit", DEFAULT_LIMIT)]
        )
        return [
            self._post_row(p, views_gained=p["gained"])
            for p in qs.values(
                "pk", "username", "platform", "post_id", "post_date", "views", "gained"
            )
        ]

    # --- campaigns, statements, tasks ------------------------------------------------------

    def campaign_progress(self, args: dict) -> list[Row]:
        qs = campaigns_visible_to(self.user, Campaign.objects.all())
        if args.get("status"):
            qs = qs.filter(status=args["status"])
        if args.get("name_contains"):
            qs = qs.filter(name__icontains=args["name_contains"])
        campaigns = list(
            qs.order_by("name", "pk").values("pk", "name", "status")[
                : args.get("limit", DEFAULT_LIMIT)
            ]
        )
        progress = campaigns_progress([c["pk"] for c in campaigns], now=self.now)
        return [
            _row(
                "campaign",
                "workflow_campaign",
                c["pk"],
                c["name"],
                {
                    "status": c["status"],
                    "promised": progress[c["pk"]].promised,
                    "delivered": progress[c["pk"]].delivered,
                    "overdue": progress[c["pk"]].overdue,
                    "percent": progress[c["pk"]].percent,
                },
            )
            for c in campaigns
        ]

    def statements(self, args: dict) -> list[Row]:
        if not self.user.has_perm("finance.view_payoutstatement"):
            return []  # finance is not this role's: nothing to see
        qs = PayoutStatement.objects.all()
        if args.get("month"):
            try:
                month = parse_month(args["month"])
            except DomainError as exc:
                raise ToolArgumentError(str(exc)) from exc
            qs = qs.filter(month=month)
        if args.get("status"):
            qs = qs.filter(status=args["status"])
        qs = qs.order_by("-month", "finance_item__code", "pk")[: args.get("limit", DEFAULT_LIMIT)]
        return [
            _row(
                "statement",
                "finance_payoutstatement",
                s["pk"],
                f"{s['finance_item__code']} {s['finance_item__payee_name']} {s['month']:%Y-%m}",
                {
                    "status": s["status"],
                    "amount_due": s["amount_due"],
                    "paid_amount": s["paid_amount"],
                    "currency": s["currency"],
                },
            )
            for s in qs.values(
                "pk",
                "month",
                "status",
                "amount_due",
                "paid_amount",
                "currency",
                "finance_item__code",
                "finance_item__payee_name",
            )
        ]

    def content_tasks(self, args: dict) -> list[Row]:
        qs = tasks_visible_to(self.user, ContentTask.objects.all())
        if args.get("column"):
            qs = qs.filter(column=args["column"])
        if args.get("overdue_only"):
            qs = qs.filter(overdue_q(self.now))
        qs = qs.order_by(F("due_at").asc(nulls_last=True), "pk")[: args.get("limit", DEFAULT_LIMIT)]
        return [
            _row(
                "task",
                "workflow_contenttask",
                t["pk"],
                t["title"],
                {
                    "column": t["column"],
                    "due_at": t["due_at"],
                    "creator": t["creator__display_name"],
                    "platform": t["platform"],
                },
            )
            for t in qs.values(
                "pk", "title", "column", "due_at", "creator__display_name", "platform"
            )
        ]
