"""Refresh now: a person asks for a post's stats at once instead of at its next due time."""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied

from settings_app.access import posts_visible_to

from ..models import Post
from .adding import posts_refresh_on_commit

# At most this many posts per request: a selection across a huge list queues a bounded number
# of tasks; the rest wait for their scheduled refresh.
REFRESH_NOW_MAX = 2000


def posts_refresh_now(*, ids: Iterable[int], actor=None) -> int:
    """Queue a stats refresh of these posts, due or not, as soon as a worker is free (enqueued
    when the transaction commits). Only posts `actor` may edit are queued (the change
    permission, on the posts their role shows them; None: a job or script, every post); posts
    found deleted on the platform are left out. Returns how many were queued."""
    posts = Post.objects.filter(pk__in=list(ids), deleted_at__isnull=True)
    if actor is not None:
        if not actor.has_perm("posts.change_post"):
            raise PermissionDenied("Your role may not refresh posts.")
        posts = posts_visible_to(actor, posts)
    queued = list(posts.order_by("pk").values_list("pk", flat=True)[:REFRESH_NOW_MAX])
    posts_refresh_on_commit(queued)
    return len(queued)
