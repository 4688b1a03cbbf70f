"""Snapshot retention of the accounts' profile history (see posts.services.retention)."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Exists, OuterRef

from core.jobs import WorkReport
from posts.models import Post
from posts.services.retention import LONGEST_DAY, THIN_BATCH_IDS, OnBatch, snapshots_thin

from ..models import AccountSnapshot


def _followers_at_a_post_date() -> Exists:
    """The snapshot is `followers@post_date` of one of the account's posts (the latest at or
    before it): the engagement rate of a post without views is per follower then."""
    newer_by_then = AccountSnapshot.objects.filter(
        account_id=OuterRef(OuterRef("account_id")),
        captured_at__gt=OuterRef(OuterRef("captured_at")),
        captured_at__lte=OuterRef("post_date"),
    )
    # A thinned snapshot has a later one the same day: only posts of that day can need it.
    posts_then = Post.objects.filter(
        account_id=OuterRef("account_id"),
        post_date__gte=OuterRef("captured_at"),
        post_date__lt=OuterRef("captured_at") + LONGEST_DAY,
    )
    return Exists(posts_then.filter(~Exists(newer_by_then)))


def account_snapshots_thin(
    *,
    now: datetime | None = None,
    batch_ids: int = THIN_BATCH_IDS,
    time_budget: float | None = None,
    on_batch: OnBatch = None,
) -> WorkReport:
    """Thin the accounts' snapshots older than SNAPSHOT_FULL_DAYS to one per account and local
    day (the day's last), keeping those the posts' engagement rates read; returns the counts
    (`ok`: snapshots deleted)."""
    return snapshots_thin(
        AccountSnapshot,
        owner="account_id",
        kind="account_snapshots_thinned",
        keep=_followers_at_a_post_date(),
        now=now,
        batch_ids=batch_ids,
        time_budget=time_budget,
        on_batch=on_batch,
    )
