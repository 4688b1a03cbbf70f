"""django-q2 entry points for posts: ids in, a service call. The periodic jobs live in
operations.jobs (they record JobRuns)."""

from .services import post_refresh_ids


def refresh_posts(post_ids: list[int]) -> str:
    """Refresh these posts' stats now (enqueue with transaction.on_commit after adding them)."""
    report = post_refresh_ids(ids=post_ids)
    return f"{report.ok} ok, {report.failed} failed"
