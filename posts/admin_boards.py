"""The admin's workspace pages on posts: the trial reels board, the boards overview, and the
post page's stats timeline. Custom admin pages (core.admin.pages, registered by
`PostAdmin.pages`) that read through `posts.queries` with a bounded number of queries, whatever
the number of rows, and write through `posts.services`.

Chart data comes from the snapshot history in SQL (`posts.metrics.post_snapshot_history`, and
`posts.queries.views_by_post` for a page of posts), never from loading every snapshot into
Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import quote, urlencode

import django_filters
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.http import HttpResponse, HttpResponseRedirect, QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from core import windows
from core.admin.pages import AdminPage, posted_ids
from core.charts import Series, line_chart, sparkline
from core.errors import DomainError
from core.windows import local_date
from settings_app.access import posts_visible_to
from settings_app.models import Client, Editor

from .choices import Platform, TrialStatus
from .filters import PostFilterSet
from .metrics import post_snapshot_history
from .models import Post
from .queries import (
    SPARKLINE_DAYS,
    board_totals,
    top_posts_by_board,
    trial_group_counts,
    trials_by_group,
    views_by_post,
)
from .services.trials import (
    post_approve_trial,
    post_reject_trial,
    posts_approve_trials,
    posts_reject_trials,
)

# --- The post page's timeline -----------------------------------------------------------------

TIMELINE_DAYS = 90


def day_label(moment: datetime) -> str:
    return local_date(moment).strftime("%b %d")


def post_timeline(post: Post, *, days: int = TIMELINE_DAYS) -> SafeString:
    """The post page's charts: views, and likes/comments/shares, per day (last `days` days)."""
    points = list(
        post_snapshot_history(
            post=post, granularity="day", start=timezone.now() - timedelta(days=days)
        )
    )
    labels = [day_label(point["bucket"]) for point in points]
    views = line_chart(
        labels,
        [Series("Views", [p["last_views"] for p in points])],
        title=f"Views, day by day (last {days} days)",
        zero_based=True,
        chart_id="post-views-chart",
        empty_text="No snapshots yet",
    )
    interactions = line_chart(
        labels,
        [
            Series("Likes", [p["last_likes"] for p in points]),
            Series("Comments", [p["last_comments"] for p in points]),
            Series("Shares", [p["last_shares"] for p in points]),
        ],
        title="Likes, comments and shares",
        zero_based=True,
        chart_id="post-interactions-chart",
        empty_text="No snapshots yet",
    )
    return format_html('<div class="co-charts">{}{}</div>', views, interactions)


# --- Trial reels board ------------------------------------------------------------------------

# ?o= values, performance first: (label, the PostFilterSet ordering it stands for).
TRIAL_SORTS = {
    "-views": ("Most views", "-views"),
    "views": ("Fewest views", "views"),
    "-likes": ("Most likes", "-likes"),
    "-engagement": ("Best engagement", "-engagement_rate"),
    "engagement": ("Worst engagement", "engagement_rate"),
    "newest": ("Newest", "-post_date"),
    "oldest": ("Oldest", "post_date"),
}
DEFAULT_TRIAL_SORT = "-views"
TRIALS_PER_PAGE = 100
STATUSES = {"pending": TrialStatus.PENDING, "rejected": TrialStatus.REJECTED}
MAX_NOTE = 2000
BOARD_FILTERS = ("client", "editor", "platform")
# The players each platform lets another site embed; config.settings' CSP `frame-src` lists
# exactly these hosts.
EMBED_URLS = {
    Platform.YOUTUBE: "https://www.youtube-nocookie.com/embed/{post_id}",
    Platform.TIKTOK: "https://www.tiktok.com/player/v1/{post_id}",
    Platform.INSTAGRAM: "https://www.instagram.com/p/{post_id}/embed/",
}


def post_embed_url(post: Post) -> str:
    """The platform's embeddable player of this post, or "" (no id, or a TikTok photo post,
    which the player does not show)."""
    template = EMBED_URLS.get(post.platform)
    if not template or not post.post_id or "/photo/" in post.url:
        return ""
    return template.format(post_id=quote(post.post_id, safe=""))


class TrialBoardFilterSet(PostFilterSet):
    """The posts' FilterSet, whose client and editor also take `none` (the board's "No client"
    and "No editor" groups)."""

    client = django_filters.ModelMultipleChoiceFilter(
        queryset=Client.objects.all(), null_label="No client", null_value="none"
    )
    editor = django_filters.ModelMultipleChoiceFilter(
        queryset=Editor.objects.all(), null_label="No editor", null_value="none"
    )


def _age(post: Post, now: datetime) -> str:
    since = post.post_date or post.added_date
    if since is None:
        return "—"
    seconds = max(0, int((now - since).total_seconds()))
    if seconds < 3600:
        return f"{seconds // 60} min"
    if seconds < 86400:
        return f"{seconds // 3600} h"
    return f"{seconds // 86400} d"


class TrialBoard(AdminPage):
    """The trial reels board: `/admin/posts/post/trial-board/`. Pending (or rejected) trials
    grouped by client and editor, filtered and sorted by the posts' FilterSet."""

    route = "trial-board/"
    url_name = "posts_trial_board"
    title = "Trial reels board"
    template = "admin/posts/trial_board.html"
    permissions = ("posts.view_post",)

    def status(self) -> str:
        status = self.request.GET.get("status")
        return status if status in STATUSES else "pending"

    def sort(self) -> str:
        sort = self.request.GET.get("o")
        return sort if sort in TRIAL_SORTS else DEFAULT_TRIAL_SORT

    def filterset(self) -> PostFilterSet:
        """The board's URL (`status`, `client`, `editor`, `platform`, `o`) as the FilterSet's."""
        params = self.request.GET
        data = QueryDict(mutable=True)
        for name in BOARD_FILTERS:
            data.setlist(name, [value for value in params.getlist(name) if value])
        data.update(
            is_trial="true",
            trial_status=STATUSES[self.status()],
            ordering=TRIAL_SORTS[self.sort()][1],
        )
        queryset = posts_visible_to(self.request.user, Post.objects.all())
        return TrialBoardFilterSet(data, queryset=queryset, request=self.request)

    def get_context(self) -> dict:
        queryset = trials_by_group(self.filterset().qs)
        paginator = Paginator(
            queryset.select_related("account", "client", "editor", "trial_decided_by"),
            TRIALS_PER_PAGE,
        )
        page = paginator.get_page(self.request.GET.get("p"))
        groups = trial_group_counts(queryset)
        return {
            "rows": self.rows(page, groups),
            "page": page,
            "status": self.status(),
            "columns": 11 if self.status() == "rejected" else 10,
            "params": self.request.GET,
            **self.sort_links(),
            "clients": Client.objects.order_by("name").only("pk", "name"),
            "editors": Editor.objects.order_by("name").only("pk", "name"),
            "platforms": Platform.choices,
            "total": paginator.count,
            "group_total": len(groups),
            "can_change": self.request.user.has_perm("posts.decide_trial_post"),
            "add_trials_url": (
                reverse("admin:posts_post_bulk_add", current_app=self.admin_site.name)
                + "?is_trial=1"
            ),
            "boards_url": reverse("admin:posts_boards", current_app=self.admin_site.name),
        }

    def rows(self, page: Page, groups: dict) -> list[dict]:
        posts = list(page.object_list)
        spark = views_by_post(post.pk for post in posts)
        now = timezone.now()
        rows = []
        for post in posts:
            views = spark.get(post.pk, [])
            group = (post.client_id, post.editor_id)
            rows.append(
                {
                    "post": post,
                    "group": group,
                    "group_count": groups.get(group, 0),
                    "age": _age(post, now),
                    "sparkline": sparkline(
                        views, title=f"Views per day, last {SPARKLINE_DAYS} days ({len(views)})"
                    ),
                    "change_url": reverse("admin:posts_post_change", args=[post.pk]),
                    "embed_url": post_embed_url(post),
                    "account_url": (
                        reverse("admin:creators_account_change", args=[post.account_id])
                        if post.account_id
                        else ""
                    ),
                }
            )
        return rows

    def sort_links(self) -> dict:
        params, sort = self.request.GET, self.sort()
        kept = {k: v for k, v in params.items() if k in (*BOARD_FILTERS, "status")}
        return {
            "query": urlencode({**kept, "o": sort}),
            "sorts": [
                {
                    "key": key,
                    "label": label,
                    "selected": key == sort,
                    "url": "?" + urlencode({**kept, "o": key}),
                }
                for key, (label, _) in TRIAL_SORTS.items()
            ],
        }

    # --- Decisions ----------------------------------------------------------------------------

    def post(self) -> HttpResponse:
        request = self.request
        if not self.request.user.has_perm("posts.decide_trial_post"):
            raise PermissionDenied
        back = f"{self.url()}?{request.GET.urlencode()}" if request.GET else self.url()
        note = request.POST.get("note", "").strip()[:MAX_NOTE]
        for name, approve in (("approve_one", True), ("reject_one", False)):
            ids = posted_ids(request.POST.getlist(name))
            if ids:
                self.decide_one(ids[0], approve=approve, note=note)
                return HttpResponseRedirect(back)
        if "approve" in request.POST or "reject" in request.POST:
            self.decide_many(
                posted_ids(request.POST.getlist("ids")),
                approve="approve" in request.POST,
                note=note,
            )
        return HttpResponseRedirect(back)

    def decide_one(self, pk: int, *, approve: bool, note: str) -> None:
        post = Post.objects.filter(pk=pk, is_trial=True).first()
        if post is None:
            messages.warning(self.request, "This trial reel was already decided.")
            return
        decide = post_approve_trial if approve else post_reject_trial
        try:
            decide(post=post, user=self.request.user, note=note)
        except DomainError as error:
            messages.error(self.request, error.message)
            return
        self.model_admin.log_change(self.request, post, [{"changed": {"fields": ["trial_status"]}}])
        self.report(1, approve)

    def decide_many(self, ids: list[int], *, approve: bool, note: str) -> None:
        if not ids:
            messages.warning(self.request, "Select at least one trial reel.")
            return
        decide = posts_approve_trials if approve else posts_reject_trials
        count = decide(ids=ids, user=self.request.user, note=note)
        self.report(count, approve)

    def report(self, count: int, approve: bool) -> None:
        if approve:
            message = f"{count:,} trial reel(s) approved; queued for AI classification."
        else:
            message = f"{count:,} trial reel(s) rejected; their history is kept."
        messages.success(self.request, message)


# --- Boards -----------------------------------------------------------------------------------


# ?period= values of the boards page, in the picker's order.
PERIODS = {
    "this_month": "This month",
    "last_month": "Last month",
    "last_30_days": "Last 30 days",
    "custom": "Custom",
}
DEFAULT_PERIOD = "this_month"
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2999, 12, 31)


@dataclass(frozen=True)
class Period:
    """A period of the boards page: its `key`, the window `[start, end)` and the days it
    covers as a person reads them (`first` to `last`, inclusive)."""

    key: str
    window: windows.Window
    first: date
    last: date


def _day(text: str) -> date | None:
    try:
        day = date.fromisoformat((text or "").strip())
    except ValueError:
        return None
    return day if FIRST_DAY <= day <= LAST_DAY else None


def boards_period(params: QueryDict, *, now: datetime) -> tuple[Period, str]:
    """The period the boards page's URL asks for (`period`, and `from`/`to` dates, inclusive,
    for a custom one), and an error message ("" when none): this month when unreadable."""
    key = params.get("period") or ("custom" if params.get("from") else DEFAULT_PERIOD)
    error = ""
    if key == "custom":
        first, last = _day(params.get("from", "")), _day(params.get("to", "")) or local_date(now)
        if first is not None and first <= last:
            window = (windows.local_midnight(first), windows.local_midnight(last + timedelta(1)))
            return Period("custom", window, first, last), ""
        error = (
            "Custom period: enter the first and last day as dates (YYYY-MM-DD), the first "
            "on or before the last. Showing this month."
        )
        key = DEFAULT_PERIOD
    if key == "last_month":
        window = windows.last_calendar_month(now)
    elif key == "last_30_days":
        window = windows.last_days(now, 30)
    else:
        key, window = DEFAULT_PERIOD, windows.this_month(now)
    last = local_date(window[1] - timedelta(microseconds=1))
    return Period(key, window, local_date(window[0]), last), error


class BoardsOverview(AdminPage):
    """Every board over a period (this month, last month, last 30 days or custom days): the
    posts posted in it and the views its posts gained in it, with its top posts:
    `/admin/posts/post/boards/`."""

    route = "boards/"
    url_name = "posts_boards"
    title = "Boards"
    template = "admin/posts/boards.html"
    # Totals over every post: not for roles that see only their own.
    permissions = ("posts.view_post", "posts.view_all_post")

    def get_context(self) -> dict:
        now = timezone.now()
        period, error = boards_period(self.request.GET, now=now)
        if error:
            messages.error(self.request, error)
        rows = board_totals(period.window, now=now)
        top = top_posts_by_board(period.window, now=now)
        changelist = reverse("admin:posts_post_changelist")
        for row in rows:
            row["top"] = top.get(row["pk"], []) if row["pk"] is not None else []
            row["url"] = f"{changelist}?board={row['pk']}" if row["pk"] is not None else ""
        return {
            "rows": rows,
            "period": period,
            "periods": [
                {"key": key, "label": label, "url": f"?{urlencode({'period': key})}"}
                for key, label in PERIODS.items()
                if key != "custom"
            ],
            "running": period.window[0] <= now < period.window[1],
            "trial_board_url": reverse("admin:posts_trial_board"),
        }
