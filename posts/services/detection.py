"""New posts found on a tracked account's recent listing (creators' detection job creates
them here): linked to the account, waiting for the AI, in the new-post feed."""

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from core.bulk import BATCH_SIZE
from platforms.providers.base import PostRef, PostStats
from platforms.urls import KIND_POST, ParsedURL, UnsupportedURL, parse_url

from ..choices import Platform, ProcessingStatus
from ..models import Post, PostSnapshot
from ..queries import posts_by_key
from .refresh import REFRESHED_FIELDS, post_stats_apply

logger = logging.getLogger(__name__)

_POST_URL_TEMPLATES = {
    Platform.INSTAGRAM: "https://www.instagram.com/p/{post_id}/",
    Platform.TIKTOK: "https://www.tiktok.com/@{username}/video/{post_id}",
    Platform.YOUTUBE: "https://www.youtube.com/watch?v={post_id}",
}

Listed = PostStats | PostRef


def _detected_post_url(item: Listed, username: str) -> ParsedURL | None:
    candidates = [item.url] if item.url else []
    template = _POST_URL_TEMPLATES.get(item.platform)
    if template:
        candidates.append(template.format(post_id=item.post_id, username=username or "_"))
    for url in candidates:
        try:
            parsed = parse_url(url)
        except UnsupportedURL:
            continue
        if parsed.kind == KIND_POST and parsed.post_id == item.post_id:
            return parsed
    return None


def _wanted(
    account: Any, items: Sequence[Listed]
) -> dict[tuple[str, str], tuple[Listed, ParsedURL]]:
    """The listing's usable posts by (platform, post id), with their parsed URL (a listing of
    a channel's Shorts tab gives /shorts/ URLs: those posts are Shorts)."""
    wanted: dict[tuple[str, str], tuple[Listed, ParsedURL]] = {}
    for item in items:
        url = _detected_post_url(item, account.username)
        if url is None:
            logger.warning("Listing of %s gave an unusable post: %r", account, item)
            continue
        wanted.setdefault((item.platform, item.post_id), (item, url))
    return wanted


def _create_new(
    account: Any,
    wanted: dict[tuple[str, str], tuple[Listed, ParsedURL]],
    new_keys: set,
    now: datetime,
) -> list[Post]:
    """Create the posts of `new_keys`; return those that are ours (a post added meanwhile by
    URL wins)."""
    Post.objects.bulk_create(
        [
            Post(
                url=wanted[key][1].canonical_url,
                is_short=wanted[key][1].is_short,
                platform=key[0],
                post_id=key[1],
                username=account.username,
                account=account,
                processing_status=ProcessingStatus.PENDING,
                detected_at=now,
                added_date=now,
                extra={},
            )
            for key in new_keys
        ],
        ignore_conflicts=True,
        batch_size=BATCH_SIZE,
    )
    return [
        post
        for post in posts_by_key(new_keys).values()
        if post.detected_at == now and post.account_id == account.pk
    ]


def _store_listed_stats(
    created: list[Post], wanted: dict[tuple[str, str], tuple[Listed, ParsedURL]], now: datetime
) -> None:
    """The first snapshot and current fields of new posts the listing had the stats of."""
    snapshots, with_stats = [], []
    for post in created:
        item = wanted[(post.platform, post.post_id)][0]
        if isinstance(item, PostStats):
            snapshots.append(post_stats_apply(post, item, now=now))
            with_stats.append(post)
    PostSnapshot.objects.bulk_create(snapshots, ignore_conflicts=True, batch_size=BATCH_SIZE)
    Post.objects.bulk_update(with_stats, REFRESHED_FIELDS, batch_size=BATCH_SIZE)


def post_bulk_add_detected(
    *, account: Any, items: Sequence[Listed], now: datetime | None = None
) -> list[Post]:
    """Create the posts of `account`'s recent listing that are not tracked yet; return them.

    Idempotent on (platform, post id): posts already tracked are left as they are (linked to
    the account if they had none). New posts are linked to the account, wait for the AI
    (`processing_status` pending), carry `detected_at` (the new-post feed) and, when the listing
    had their stats, their first snapshot and current fields.
    """
    now = now or timezone.now()
    wanted = _wanted(account, items)
    with transaction.atomic():
        existing = posts_by_key(set(wanted))
        if existing:
            Post.objects.filter(
                pk__in=[p.pk for p in existing.values()], account__isnull=True
            ).update(account=account)
        created = _create_new(account, wanted, set(wanted) - set(existing), now)
        _store_listed_stats(created, wanted, now)
    return sorted(created, key=lambda p: p.pk)
