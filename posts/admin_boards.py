"""The admin's workspace pages on posts: the trial reels board, the boards overview, and the
post page's stats timeline. Custom admin views (registered by `PostAdmin.get_urls` through
`board_urls`) that read with a bounded number of queries, whatever the number of rows, and
write through `posts.services`.

Chart data comes from the snapshot history in SQL (`posts.metrics.post_snapshot_history`, and
`posts.metrics.daily_history` for many posts at once: one point per post and day, computed with
window functions), never from loading every snapshot into Python.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta
from urllib.parse import urlencode

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import (
    Count,
    F,
    Q,
    QuerySet,
    Sum,
    Window,
)
from django.db.models.functions import RowNumber
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from core.charts import Series, line_chart, sparkline
from core.windows import local_date
from settings_app.access import posts_visible_to
from settings_app.models import Board, Client, Editor

from .choices import Platform, TrialStatus
from .metrics import daily_history, post_snapshot_history
from .models import Post, PostSnapshot
from .services.trials import (
    post_approve_trial,
    post_reject_trial,
    posts_approve_trials,
    posts_reject_trials,
)

# --- Chart data -------------------------------------------------------------------------------

TIMELINE_DAYS = 90
SPARKLINE_DAYS = 30


def views_by_post(post_ids: Iterable[int], *, days: int = SPARKLINE_DAYS) -> dict[int, list]:
    """The last `days` days of views of these posts, one value per day with snapshots, oldest
    first: one query for a whole page of posts."""
    ids = list(post_ids)
    if not ids:
        return {}
    start = timezone.now() - timedelta(days=days)
    points = (
        daily_history(PostSnapshot.objects.filter(post_id__in=ids), start=start)
        .values_list("post_id", "last_views")
        .order_by("post_id", "bucket")
    )
    series: dict[int, list] = defaultdict(list)
    for post_id, views in points:
        series[post_id].append(views)
    return series


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

# ?o= values: performance first.
TRIAL_ORDERINGS = {
    "-views": ("Most views", F("views").desc(nulls_last=True)),
    "views": ("Fewest views", F("views").asc(nulls_first=True)),
    "-likes": ("Most likes", F("likes").desc(nulls_last=True)),
    "-engagement": ("Best engagement", F("engagement_rate").desc(nulls_last=True)),
    "engagement": ("Worst engagement", F("engagement_rate").asc(nulls_first=True)),
    "newest": ("Newest", F("post_date").desc(nulls_last=True)),
    "oldest": ("Oldest", F("post_date").asc(nulls_last=True)),
}
DEFAULT_TRIAL_ORDERING = "-views"
TRIALS_PER_PAGE = 100
STATUSES = {"pending": TrialStatus.PENDING, "rejected": TrialStatus.REJECTED}
MAX_NOTE = 2000


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


def trial_board_queryset(params) -> QuerySet:
    """The trials of the board's filters (status, client, editor, platform), grouped by client
    and editor, each group sorted by the chosen performance figure."""
    status = STATUSES.get(params.get("status") or "pending", TrialStatus.PENDING)
    queryset = Post.objects.filter(is_trial=True, trial_status=status)
    client, editor = _int_or_none(params.get("client")), _int_or_none(params.get("editor"))
    if params.get("client") == "none":
        queryset = queryset.filter(client__isnull=True)
    elif client is not None:
        queryset = queryset.filter(client_id=client)
    if params.get("editor") == "none":
        queryset = queryset.filter(editor__isnull=True)
    elif editor is not None:
        queryset = queryset.filter(editor_id=editor)
    if params.get("platform") in Platform.values:
        queryset = queryset.filter(platform=params["platform"])
    ordering = params.get("o") if params.get("o") in TRIAL_ORDERINGS else DEFAULT_TRIAL_ORDERING
    return queryset.order_by(
        F("client__name").asc(nulls_last=True),
        F("editor__name").asc(nulls_last=True),
        TRIAL_ORDERINGS[ordering][1],
        "-id",
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


class TrialBoard:
    """The trial reels board: `/admin/posts/post/trial-board/`."""

    template = "admin/posts/trial_board.html"

    def __init__(self, model_admin):
        self.model_admin = model_admin
        self.admin_site = model_admin.admin_site

    def url(self) -> str:
        return reverse("admin:posts_trial_board", current_app=self.admin_site.name)

    def view(self, request: HttpRequest) -> HttpResponse:
        if not self.model_admin.has_view_permission(request):
            raise PermissionDenied
        if request.method == "POST":
            return self.decide(request)
        params = request.GET
        queryset = posts_visible_to(request.user, trial_board_queryset(params))
        page = Paginator(queryset.select_related("account", "client", "editor"), TRIALS_PER_PAGE)
        page = page.get_page(params.get("p"))
        posts = list(page.object_list)
        spark = views_by_post(post.pk for post in posts)
        groups = {
            (row["client_id"], row["editor_id"]): row["n"]
            for row in queryset.order_by().values("client_id", "editor_id").annotate(n=Count("pk"))
        }
        now = timezone.now()
        rows = []
        for post in posts:
            views = spark.get(post.pk, [])
            rows.append(
                {
                    "post": post,
                    "group": (post.client_id, post.editor_id),
                    "group_count": groups.get((post.client_id, post.editor_id), 0),
                    "age": _age(post, now),
                    "sparkline": sparkline(
                        views, title=f"Views per day, last {SPARKLINE_DAYS} days ({len(views)})"
                    ),
                    "change_url": reverse("admin:posts_post_change", args=[post.pk]),
                    "account_url": (
                        reverse("admin:creators_account_change", args=[post.account_id])
                        if post.account_id
                        else ""
                    ),
                }
            )
        status = params.get("status") if params.get("status") in STATUSES else "pending"
        kept = {k: v for k, v in params.items() if k in ("client", "editor", "platform", "status")}
        ordering = params.get("o") if params.get("o") in TRIAL_ORDERINGS else DEFAULT_TRIAL_ORDERING
        context = {
            **self.admin_site.each_context(request),
            "title": "Trial reels board",
            "opts": Post._meta,
            "rows": rows,
            "page": page,
            "status": status,
            "params": params,
            "query": urlencode({**kept, "o": ordering}),
            "sorts": [
                {
                    "key": key,
                    "label": label,
                    "selected": key == ordering,
                    "url": "?" + urlencode({**kept, "o": key}),
                }
                for key, (label, _) in TRIAL_ORDERINGS.items()
            ],
            "clients": Client.objects.order_by("name").only("pk", "name"),
            "editors": Editor.objects.order_by("name").only("pk", "name"),
            "platforms": Platform.choices,
            "total": page.paginator.count,
            "group_total": len(groups),
            "can_change": self.model_admin.has_decide_trial_permission(request),
            "add_trials_url": (
                reverse("admin:posts_post_bulk_add", current_app=self.admin_site.name)
                + "?is_trial=1"
            ),
            "boards_url": reverse("admin:posts_boards", current_app=self.admin_site.name),
        }
        return TemplateResponse(request, self.template, context)

    def decide(self, request: HttpRequest) -> HttpResponse:
        if not self.model_admin.has_decide_trial_permission(request):
            raise PermissionDenied
        back = f"{self.url()}?{request.GET.urlencode()}" if request.GET else self.url()
        note = request.POST.get("note", "").strip()[:MAX_NOTE]
        single = {"approve_one": True, "reject_one": False}
        for name, approve in single.items():
            pk = _int_or_none(request.POST.get(name))
            if pk is None:
                continue
            post = Post.objects.filter(pk=pk, is_trial=True).first()
            if post is None:
                messages.warning(request, "This trial reel was already decided.")
                return HttpResponseRedirect(back)
            decide = post_approve_trial if approve else post_reject_trial
            decide(post=post, user=request.user, note=note)
            self.model_admin.log_change(request, post, [{"changed": {"fields": ["trial_status"]}}])
            self._report(request, 1, approve)
            return HttpResponseRedirect(back)
        if "approve" in request.POST or "reject" in request.POST:
            ids = [pk for pk in map(_int_or_none, request.POST.getlist("ids")) if pk is not None]
            if not ids:
                messages.warning(request, "Select at least one trial reel.")
                return HttpResponseRedirect(back)
            approve = "approve" in request.POST
            decide_many = posts_approve_trials if approve else posts_reject_trials
            count = decide_many(ids=ids, user=request.user, note=note)
            self._report(request, count, approve)
        return HttpResponseRedirect(back)

    @staticmethod
    def _report(request: HttpRequest, count: int, approve: bool) -> None:
        if approve:
            messages.success(
                request, f"{count:,} trial reel(s) approved; queued for AI classification."
            )
        else:
            messages.success(request, f"{count:,} trial reel(s) rejected; their history is kept.")


# --- Boards -----------------------------------------------------------------------------------

TOP_POSTS_PER_BOARD = 5


def board_totals() -> list[dict]:
    """Every board with its posts' count and totals (one GROUP BY over the board-post join),
    then the posts on no board (one aggregate): two queries whatever the number of posts."""
    sums = ("views", "likes", "comments", "shares")
    boards = list(
        Board.objects.order_by("name")
        .values("pk", "name", "slug")
        .annotate(
            post_count=Count("posts"),
            trial_count=Count("posts", filter=Q(posts__is_trial=True)),
            **{f"total_{name}": Sum(f"posts__{name}") for name in sums},
        )
    )
    loose = Post.objects.filter(boards__isnull=True).aggregate(
        post_count=Count("pk"),
        trial_count=Count("pk", filter=Q(is_trial=True)),
        **{f"total_{name}": Sum(name) for name in sums},
    )
    return [*boards, {"pk": None, "name": "No board", "slug": "", **loose}]


def top_posts_by_board(limit: int = TOP_POSTS_PER_BOARD) -> dict[int, list[Post]]:
    """The `limit` most viewed posts of each board, in one query (a window per board)."""
    through = Post.boards.through
    ranked = (
        through.objects.annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("board_id")],
                order_by=[F("post__views").desc(nulls_last=True), F("post_id").desc()],
            )
        )
        .filter(rank__lte=limit)
        .values_list("board_id", "post_id", "rank")
    )
    by_board: dict[int, list[tuple[int, int]]] = defaultdict(list)
    post_ids = set()
    for board_id, post_id, rank in ranked:
        by_board[board_id].append((rank, post_id))
        post_ids.add(post_id)
    posts = Post.objects.in_bulk(post_ids) if post_ids else {}
    return {
        board_id: [posts[pk] for _, pk in sorted(entries) if pk in posts]
        for board_id, entries in by_board.items()
    }


def boards_view(model_admin, request: HttpRequest) -> HttpResponse:
    # Totals over every post: not for roles that see only their own.
    if not (
        model_admin.has_view_permission(request) and request.user.has_perm("posts.view_all_post")
    ):
        raise PermissionDenied
    rows = board_totals()
    top = top_posts_by_board()
    changelist = reverse("admin:posts_post_changelist")
    for row in rows:
        row["top"] = top.get(row["pk"], []) if row["pk"] is not None else []
        row["url"] = f"{changelist}?board={row['pk']}" if row["pk"] is not None else ""
    context = {
        **model_admin.admin_site.each_context(request),
        "title": "Boards",
        "opts": Post._meta,
        "rows": rows,
        "trial_board_url": reverse("admin:posts_trial_board"),
    }
    return TemplateResponse(request, "admin/posts/boards.html", context)


# --- URLs and navigation ----------------------------------------------------------------------


def board_urls(model_admin) -> list:
    """The workspace pages, under the posts' admin URLs (see PostAdmin.get_urls)."""
    wrap = model_admin.admin_site.admin_view
    board = TrialBoard(model_admin)
    return [
        path("trial-board/", wrap(board.view), name="posts_trial_board"),
        path(
            "boards/", wrap(lambda request: boards_view(model_admin, request)), name="posts_boards"
        ),
    ]


WORKSPACE_LINKS = (("posts_trial_board", "Trial reels board"), ("posts_boards", "Boards"))

_previous_get_app_list = admin.site.get_app_list


def _get_app_list(request: HttpRequest, app_label: str | None = None) -> list[dict]:
    """The workspace pages first under Posts, on the admin index and in the nav sidebar."""
    app_list = _previous_get_app_list(request, app_label)
    for app in app_list:
        if app["app_label"] != "posts":
            continue
        known = {model.get("object_name") for model in app["models"]}
        for position, (url_name, name) in enumerate(WORKSPACE_LINKS):
            object_name = name.title().replace(" ", "")
            if object_name in known:
                continue
            try:
                url = reverse(f"admin:{url_name}", current_app=admin.site.name)
            except NoReverseMatch:
                return app_list
            app["models"].insert(
                position,
                {
                    "name": name,
                    "object_name": object_name,
                    "perms": {"view": True},
                    "admin_url": url,
                    "add_url": None,
                    "view_only": True,
                },
            )
    return app_list


admin.site.get_app_list = _get_app_list
