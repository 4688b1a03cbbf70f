"""django-q2 entry points for posts: ids in, a service call. The periodic jobs live in
operations.jobs (they record JobRuns)."""

from .services.refresh import post_refresh_ids


def refresh_posts(post_ids: list[int]) -> str:
    """Refresh these posts' stats now; queued on commit by posts.services.adding for the posts
    it created (posts_refresh_on_commit)."""
    report = post_refresh_ids(ids=post_ids)
    return f"{report.ok} ok, {report.failed} failed"
