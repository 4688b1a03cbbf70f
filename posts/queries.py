"""Reads on posts: the refresh and AI queues, lookups by key, the operators' feeds."""

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from ai.client import OFFICIAL_BASE_URL
from ai.config import AIConfig, config_from_settings
from ai.prompts import PROMPT_VERSION
from core.bulk import BATCH_SIZE
from core.sorting import sort_by, sort_key
from core.windows import Window as TimeWindow
from settings_app.models import Board, Subcategory

from .choices import ProcessingStatus
from .metrics import daily_history, views_gained
from .models import Post, PostSnapshot

FEED_LIMIT = 20  # rows of the operators' feeds
LIST_LIMIT = 50  # rows of the operators' lists


def posts_for_api() -> QuerySet[Post]:
    """Posts as the API shows them: with their account's username and category's name as
    columns (posts.api.serializers.PostSerializer reads them)."""
    return Post.objects.annotate(
        account_username=F("account__username"), category_name=F("category__name")
    )


def posts_refresh_queue(queryset: QuerySet[Post] | None = None) -> QuerySet[Post]:
    """Posts in the order the stats refresh takes them: never refreshed (NULL `next_refresh_at`,
    the lowest) first, then the longest due. `due_at` is that sort key: one index
    (post_refresh_queue_idx) serves the order and any range of it."""
    queryset = Post.objects.all() if queryset is None else queryset
    return queryset.alias(due_at=sort_key(Post, "next_refresh_at")).order_by("due_at", "id")


def posts_due_for_refresh(*, now: datetime) -> QuerySet[Post]:
    """Posts whose stats are due at `now`: never refreshed (no `next_refresh_at`) or past it.

    Posts the platform reported deleted are never refreshed (demo posts are created never due:
    operations.demo.NEVER). Claims are not looked at here: `posts.services.refresh.posts_claim_due`
    does.
    """
    return posts_refresh_queue().filter(due_at__lte=now, deleted_at__isnull=True)


def posts_detected_recent(*, limit: int = FEED_LIMIT) -> QuerySet[Post]:
    """The new-post feed: the latest posts found by new-post detection, newest first (its
    partial index, post_detected_sort_idx)."""
    newest = sort_by(Post, "detected_at", descending=True)
    return (
        Post.objects.filter(detected_at__isnull=False)
        .select_related("account")
        .order_by(newest, "-id")[:limit]
    )


def ai_failures_recent(*, limit: int = FEED_LIMIT) -> QuerySet[Post]:
    """The posts the AI failed on, latest first, with their errors."""
    return (
        Post.objects.filter(processing_status=ProcessingStatus.FAILED)
        .order_by("-updated_at", "-id")
        .only("pk", "url", "username", "ai_error", "ai_attempts", "updated_at")[:limit]
    )


def posts_failing(*, limit: int = LIST_LIMIT) -> QuerySet[Post]:
    """The failed URLs: posts whose stats refresh keeps failing, or found deleted."""
    return (
        Post.objects.filter(Q(refresh_failures__gt=0) | Q(deleted_at__isnull=False))
        .order_by("-updated_at", "-id")
        .only(
            "pk",
            "url",
            "username",
            "refresh_failures",
            "refresh_error",
            "deleted_at",
            "next_refresh_at",
            "updated_at",
        )[:limit]
    )


def posts_by_key(keys: set[tuple[str, str]]) -> dict[tuple[str, str], Post]:
    """The posts of these (platform, post id) keys that exist, by key; batched."""
    by_platform: dict[str, list[str]] = {}
    for platform, post_id in keys:
        by_platform.setdefault(platform, []).append(post_id)
    found = {}
    for platform, ids in by_platform.items():
        for start in range(0, len(ids), BATCH_SIZE):
            for post in Post.objects.filter(
                platform=platform, post_id__in=ids[start : start + BATCH_SIZE]
            ):
                found[(platform, post.post_id)] = post
    return found


# --- AI classification (specs/ai.md) ----------------------------------------------------------


def posts_ai_queue(*, now: datetime) -> QuerySet[Post]:
    """Posts waiting for the AI at `now`: pending, not trial reels, past their backoff, and
    with their metadata (first stats refresh) or added AI_WAIT_FOR_STATS_MINUTES ago (a caption
    makes a far better answer than a bare URL)."""
    waited = now - timedelta(minutes=settings.AI_WAIT_FOR_STATS_MINUTES)
    return Post.objects.filter(
        Q(ai_next_attempt_at__isnull=True) | Q(ai_next_attempt_at__lte=now),
        Q(last_updated__isnull=False) | Q(deleted_at__isnull=False) | Q(added_date__lte=waited),
        processing_status=ProcessingStatus.PENDING,
        is_trial=False,
    )


def ai_not_ready_reason(*, config: AIConfig | None = None) -> str:
    """Why the AI classifies nothing right now (no key, empty taxonomy), or "" (cheap)."""
    config = config or config_from_settings()
    if config.not_configured_reason:
        return config.not_configured_reason
    if not Subcategory.objects.exists():
        return "AI not configured: the taxonomy is empty; add categories and sub-categories."
    return ""


def ai_status(*, config: AIConfig | None = None) -> dict[str, Any]:
    """What operators see of the AI: configured or not (with the reason), the model, the
    prompt version and how many non-trial posts are in each processing status."""
    config = config or config_from_settings()
    reason = ai_not_ready_reason(config=config)
    counts = dict.fromkeys(ProcessingStatus.values, 0)
    for status, count in (
        Post.objects.filter(is_trial=False)
        .order_by()
        .values_list("processing_status")
        .annotate(n=Count("pk"))
    ):
        counts[status] = count
    return {
        "configured": not reason,
        "reason": reason,
        "model": config.model,
        "base_url": config.base_url or OFFICIAL_BASE_URL,
        "prompt_version": PROMPT_VERSION,
        "counts": counts,
    }


# --- The admin's workspace pages (posts.admin_boards) ------------------------------------------

SPARKLINE_DAYS = 30
TOP_POSTS_PER_BOARD = 5


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


def trials_by_group(queryset: QuerySet[Post]) -> QuerySet[Post]:
    """Trial reels grouped by client and editor (by name, the ones without last), each group
    in the queryset's own order (the trial board's sort)."""
    return queryset.order_by(
        F("client__name").asc(nulls_last=True),
        F("editor__name").asc(nulls_last=True),
        *queryset.query.order_by,
    )


def trial_group_counts(queryset: QuerySet[Post]) -> dict[tuple[int | None, int | None], int]:
    """How many of these posts each (client id, editor id) group holds: one GROUP BY."""
    rows = queryset.order_by().values("client_id", "editor_id").annotate(n=Count("pk"))
    return {(row["client_id"], row["editor_id"]): row["n"] for row in rows}


def posts_moving_in(window: TimeWindow, *, post: str = "pk") -> Q:
    """The posts whose `gained(views, window)` may be other than 0 (`post` names the post in
    the row): a snapshot inside `(start, end]`, or posted inside the window. Every other post
    has the same value at both ends (specs/metrics.md), so the sums leave them out."""
    start, end = window
    prefix = "" if post == "pk" else f"{post.removesuffix('_id')}__"
    moved = PostSnapshot.objects.filter(
        post_id=OuterRef(post), captured_at__gt=start, captured_at__lte=end
    )
    return Exists(moved) | Q(**{f"{prefix}post_date__gte": start, f"{prefix}post_date__lt": end})


def board_totals(window: TimeWindow, *, now: datetime) -> list[dict]:
    """Every board over `window` (ending at `now` at the latest): the posts posted in it (and
    how many are trials) and the views its posts gained in it, whenever they were posted
    (`gained(views, window)`, the figure payouts use); then the posts on no board. Three
    grouped queries whatever the number of posts."""
    start, end = window[0], min(window[1], now)
    posted = Q(posts__post_date__gte=start, posts__post_date__lt=end)
    boards = list(
        Board.objects.order_by("name")
        .values("pk", "name", "slug")
        .annotate(
            post_count=Count("posts", filter=posted),
            trial_count=Count("posts", filter=posted & Q(posts__is_trial=True)),
        )
    )
    through = Post.boards.through
    gained = dict(
        through.objects.filter(posts_moving_in((start, end), post="post_id"))
        .order_by()
        .values("board_id")
        .annotate(total=Sum(views_gained(start, end, owner="post_id")))
        .values_list("board_id", "total")
    )
    for board in boards:
        board["views_gained"] = gained.get(board["pk"])
    loose = Post.objects.filter(boards__isnull=True)
    in_window = Q(post_date__gte=start, post_date__lt=end)
    counts = loose.aggregate(
        post_count=Count("pk", filter=in_window),
        trial_count=Count("pk", filter=in_window & Q(is_trial=True)),
    )
    views = loose.filter(posts_moving_in((start, end))).aggregate(
        views_gained=Sum(views_gained(start, end))
    )
    return [*boards, {"pk": None, "name": "No board", "slug": "", **counts, **views}]


def top_posts_by_board(
    window: TimeWindow, *, now: datetime, limit: int = TOP_POSTS_PER_BOARD
) -> dict[int, list[Post]]:
    """The `limit` posts of each board that gained the most views in `window` (ending at `now`
    at the latest), each with `views_gained`: one query (a window per board), then the posts."""
    start, end = window[0], min(window[1], now)
    through = Post.boards.through
    ranked = (
        through.objects.filter(posts_moving_in((start, end), post="post_id"))
        .annotate(gained=views_gained(start, end, owner="post_id"))
        .filter(gained__gt=0)
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("board_id")],
                order_by=[F("gained").desc(), F("post_id").desc()],
            )
        )
        .filter(rank__lte=limit)
        .values_list("board_id", "post_id", "rank", "gained")
    )
    by_board: dict[int, list[tuple[int, int]]] = defaultdict(list)
    gains: dict[int, int] = {}
    for board_id, post_id, rank, gained in ranked:
        by_board[board_id].append((rank, post_id))
        gains[post_id] = gained
    posts = Post.objects.in_bulk(gains) if gains else {}
    for post_id, post in posts.items():
        post.views_gained = gains[post_id]  # a post's gain is the same on each of its boards
    return {
        board_id: [posts[pk] for _, pk in sorted(entries) if pk in posts]
        for board_id, entries in by_board.items()
    }
