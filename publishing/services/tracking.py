"""A published target becomes a tracked `posts.Post` (specs/publishing.md §3), so stats, AI and
finance follow it like any post added by URL.

Through the posts adding service (the canonical URL is the key, so a second run links the same
post). Tracking never fails a publish: an error is logged and written on the target's
publishing log, and tried again later.

A published target with a URL keeps `next_attempt_at` set until its tracked post is linked: the
publish sets it to the pass's moment, and `targets_track_due`, at the end of every publishing
pass (after the publishing loop, so a busy minute publishes first), claims the due ones with a
compare-and-set and tracks them; a failure is tried again after PUBLISH_TRACK_RETRY_SECONDS,
doubling, up to PUBLISH_TRACK_MAX_TRIES failures (then it stays on the publishing log for a
person). A worker that died between the publish and the tracking is covered the same way."""

import logging
import time
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from core.bulk import INVALID
from core.errors import DomainError
from core.jobs import error_text
from platforms.urls import parse_url
from posts.models import Post
from posts.queries import posts_by_key
from posts.services.adding import post_bulk_add

from ..choices import AttemptStep, TargetState
from ..hooks import target_published_on_commit
from ..models import PublishAttempt, PublishTarget

logger = logging.getLogger(__name__)


def _post_for_url(url: str, *, added_by) -> Post:
    """Create or find the tracked post of `url` (found even where `added_by` may not see it:
    the publish is theirs)."""
    (result,) = post_bulk_add(urls=[url], added_by=added_by)
    if result.status == INVALID:
        raise DomainError(result.error, code="invalid_url")
    if result.obj is not None:
        return result.obj
    parsed = parse_url(url)
    return posts_by_key({(parsed.platform, parsed.post_id)})[(parsed.platform, parsed.post_id)]


def target_track(target_id: int) -> Post | None:
    """Create or link the tracked post of the published target `target_id`, owned by the
    connection's account and added by the scheduled post's author; its first stats refresh is
    queued by the adding service. Returns the post, or None when there is nothing to track (no
    public URL, e.g. a private TikTok post) or tracking failed (logged on the target)."""
    target = PublishTarget.objects.select_related("post", "connection__account").get(pk=target_id)
    if target.state != TargetState.PUBLISHED or not target.published_url:
        if target.state == TargetState.PUBLISHED and target.next_attempt_at is not None:
            PublishTarget.objects.filter(pk=target.pk).update(next_attempt_at=None)
        return None
    if target.tracked_post_id is not None:
        PublishTarget.objects.filter(pk=target.pk).update(next_attempt_at=None)
        return target.tracked_post
    try:
        post = _post_for_url(target.published_url, added_by=target.post.created_by)
        account = target.connection.account
        Post.objects.filter(pk=post.pk, account__isnull=True).update(account=account)
        Post.objects.filter(pk=post.pk, username="").update(username=account.username)
        PublishTarget.objects.filter(pk=target.pk).update(
            tracked_post=post, next_attempt_at=None, updated_at=timezone.now()
        )
    except Exception as error:
        logger.exception("Tracking the published target %s failed", target.pk)
        _log_failure(target, error)
        return None
    post.refresh_from_db()
    return post


def _log_failure(target: PublishTarget, error: Exception) -> None:
    """Write the failure on the target's log and say when tracking is tried again."""
    now = timezone.now()
    message = error.message if isinstance(error, DomainError) else error_text(error)
    failures = 1 + PublishAttempt.objects.filter(target=target, step=AttemptStep.TRACK).count()
    again = None
    if failures < settings.PUBLISH_TRACK_MAX_TRIES:
        again = now + timedelta(seconds=settings.PUBLISH_TRACK_RETRY_SECONDS * 2 ** (failures - 1))
    PublishTarget.objects.filter(pk=target.pk, state=TargetState.PUBLISHED).update(
        next_attempt_at=again, updated_at=now
    )
    PublishAttempt.objects.create(
        target=target,
        number=target.attempt,
        step=AttemptStep.TRACK,
        started_at=now,
        finished_at=now,
        outcome="track_failed",
        error_class="tracking",
        error=f"Published, but not tracked as a post: {message}"[:2000],
    )


def track_retry_at(now: datetime) -> datetime:
    """When a just-published target is tracked again if its on-commit tracking never ran."""
    return now + timedelta(seconds=settings.PUBLISH_TRACK_RETRY_SECONDS)


def targets_track_due(
    *, now: datetime | None = None, limit: int = 50, deadline: float | None = None
) -> tuple[int, int]:
    """Track the published targets whose tracked post is due: just published in this pass,
    or whose tracking failed or never ran (claimed by compare-and-set, so two workers never
    track one target at once; the adding service is idempotent anyway). Batch after batch
    while they come back full and `deadline` (time.monotonic()) is not past; one batch at
    least. After a target's first try, success or not, the published hooks run (on commit).
    Returns (tracked, failed)."""
    now = now or timezone.now()
    due = PublishTarget.objects.filter(state=TargetState.PUBLISHED, next_attempt_at__lte=now)
    tracked = failed = 0
    while True:
        ids = list(due.order_by("next_attempt_at", "id").values_list("pk", flat=True)[:limit])
        for pk in ids:
            taken = PublishTarget.objects.filter(
                pk=pk, state=TargetState.PUBLISHED, next_attempt_at__lte=now
            ).update(next_attempt_at=track_retry_at(now), updated_at=now)
            if taken != 1:
                continue
            first = not PublishAttempt.objects.filter(target_id=pk, step=AttemptStep.TRACK).exists()
            if target_track(pk) is None:
                failed += 1
            else:
                tracked += 1
            if first:
                target_published_on_commit(pk)
        if len(ids) < limit or deadline is None or time.monotonic() >= deadline:
            return tracked, failed
