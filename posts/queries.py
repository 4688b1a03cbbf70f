"""Reads on posts: which posts the stats refresh has to look at."""

from datetime import datetime

from django.db.models import F, Q, QuerySet

from core.sorting import sort_by, sort_key

from .models import Post


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
    operations.demo.NEVER). Claims are not looked at here: `posts.services.posts_claim_due` does.
    """
    return posts_refresh_queue().filter(due_at__lte=now, deleted_at__isnull=True)


def not_demo() -> Q:
    """Rows not marked `extra.demo = true`. (A plain exclude() drops the rows that have no
    `demo` key on PostgreSQL, where the comparison is NULL.)

    Issue 15: no queue uses this any more (demo rows are created never due); it stays only
    until posts/services.py (part A) stops importing it, then goes."""
    return Q(extra__demo__isnull=True) | ~Q(extra__demo=True)


def posts_detected(queryset: QuerySet[Post] | None = None) -> QuerySet[Post]:
    """The new-post feed: posts created by new-post detection, newest first."""
    queryset = Post.objects.all() if queryset is None else queryset
    # The feed's index (post_detected_sort_idx).
    newest = sort_by(Post, "detected_at", descending=True)
    return queryset.filter(detected_at__isnull=False).order_by(newest, "-id")
