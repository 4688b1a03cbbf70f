"""Reads on posts: which posts the stats refresh has to look at."""

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db.models import Count, F, Q, QuerySet, Sum, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from core.sorting import sort_by, sort_key
from settings_app.models import Board

from .metrics import daily_history
from .models import Post, PostSnapshot


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

    Demo rows (`extra.demo`) and posts the platform reported deleted are never refreshed.
    Claims are not looked at here: `posts.services.posts_claim_due` does.
    """
    return posts_refresh_queue().filter(not_demo(), due_at__lte=now, deleted_at__isnull=True)


def not_demo() -> Q:
    """Rows not marked `extra.demo = true`. (A plain exclude() drops the rows that have no
    `demo` key on PostgreSQL, where the comparison is NULL.)"""
    return Q(extra__demo__isnull=True) | ~Q(extra__demo=True)


def posts_detected(queryset: QuerySet[Post] | None = None) -> QuerySet[Post]:
    """The new-post feed: posts created by new-post detection, newest first."""
    queryset = Post.objects.all() if queryset is None else queryset
    # The feed's index (post_detected_sort_idx).
    newest = sort_by(Post, "detected_at", descending=True)
    return queryset.filter(detected_at__isnull=False).order_by(newest, "-id")


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
