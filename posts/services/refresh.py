"""Stats refresh: cadence by age, claims, applying a provider's answer, batches and passes.

The job layer (operations.jobs) opens a JobRun, calls these services and records their reports
(core.jobs.WorkReport): counts, and the items that failed past the limit (dead letters).
"""

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan
from django.utils import timezone

from core.bulk import rows_insert, rows_update
from core.jobs import (
    WorkReport,
    error_text,
    job_backoff,
    objects_claim,
    objects_claim_ids,
)
from core.sorting import LOWEST_DATETIME
from platforms.providers import chain
from platforms.providers.base import (
    NotFound,
    PostRef,
    PostStats,
    ProviderError,
    QuotaExhausted,
    RateLimited,
)

from ..choices import BaseFormat, ContentType, Platform, TrialStatus
from ..hooks import account_tokens, accounts_by_username
from ..models import Post, PostSnapshot
from ..queries import posts_due_for_refresh

POST_REFRESH = "post_refresh"  # the dead-letter kind (operations.models.FailedItemKind)

COUNTER_FIELDS = ("views", "likes", "comments", "shares")
# Filled from a provider's answer only when it knows them: a known value is never erased.
METADATA_FIELDS = (
    "username",
    "post_date",
    "caption",
    "thumbnail_url",
    "duration_s",
    "width",
    "height",
    "base_format",
    "content_type",
)
_BOOKKEEPING_FIELDS = (
    "refresh_failures",
    "refresh_error",
    "refresh_error_at",
    "next_refresh_at",
    "refresh_claimed_until",
    "deleted_at",
    "updated_at",
)
# The failure bookkeeping and the claim, as a post that got its stats has them.
_CLEAN_BOOKKEEPING = {
    "refresh_failures": 0,
    "refresh_error": "",
    "refresh_error_at": None,
    "refresh_claimed_until": None,
}
# What a refresh writes on a post that got its stats.
REFRESHED_FIELDS = (*COUNTER_FIELDS, *METADATA_FIELDS, "last_updated", *_BOOKKEEPING_FIELDS)
# What a refresh reads of a claimed post (the refs, the cadence, the queue position, the
# failure count, the author link); the others are not loaded.
_CLAIMED_FIELDS = (
    "url",
    "platform",
    "post_id",
    "account",
    "username",
    "is_short",
    "post_date",
    "added_date",
    "is_trial",
    "trial_status",
    "next_refresh_at",
    "refresh_failures",
)


def post_refresh_interval(*, age: timedelta, pending_trial: bool = False) -> timedelta:
    """How long until a post's next stats refresh, by its age (settings.REFRESH_CADENCE);
    pending trial reels are refreshed every REFRESH_TRIAL_MINUTES for their first days."""
    interval = timedelta(minutes=settings.REFRESH_OLDER_MINUTES)
    for days, minutes in settings.REFRESH_CADENCE:
        if age < timedelta(days=days):
            interval = timedelta(minutes=minutes)
            break
    if pending_trial and age < timedelta(days=settings.REFRESH_TRIAL_DAYS):
        interval = min(interval, timedelta(minutes=settings.REFRESH_TRIAL_MINUTES))
    return interval


def post_next_refresh_at(post: Post, *, now: datetime) -> datetime:
    age = now - (post.post_date or post.added_date or now)
    pending_trial = post.is_trial and post.trial_status == TrialStatus.PENDING
    return now + post_refresh_interval(age=age, pending_trial=pending_trial)


def posts_claim_due(
    *,
    now: datetime,
    limit: int,
    exclude_platforms: Iterable[str] = (),
    after: tuple[datetime, int] | None = None,
) -> list[Post]:
    """Claim up to `limit` due posts (never refreshed first, then the longest overdue); with
    `after` (a queue position, `queue_position`), only posts past it in the queue."""
    queryset = posts_due_for_refresh(now=now)
    exclude_platforms = list(exclude_platforms)
    if exclude_platforms:
        queryset = queryset.exclude(platform__in=exclude_platforms)
    if after is not None:
        # A range of the queue index: the scan starts here, not at the index's first entry,
        # past the (dead) entries of every post this pass already took.
        queryset = queryset.filter(TupleGreaterThan(Tuple(F("due_at"), F("id")), after))
    return objects_claim(
        queryset,
        claim_field="refresh_claimed_until",
        now=now,
        limit=limit,
        order_by=["due_at", "id"],  # posts.queries.posts_refresh_queue
        fields=_CLAIMED_FIELDS,
    )


def queue_position(post: Post) -> tuple[datetime, int]:
    """Where `post` stands in the refresh queue (posts.queries.posts_refresh_queue's order)."""
    return (post.next_refresh_at or LOWEST_DATETIME, post.pk)


def _normalized_username(platform: str, username: str) -> str:
    username = username.strip().lstrip("@")
    if platform == Platform.YOUTUBE and username.startswith("UC") and len(username) == 24:
        return username  # a channel id is case-sensitive
    return username.lower()


def _storable(name: str, value: Any) -> bool:
    if name == "thumbnail_url":
        return len(value) <= 2000
    if name == "base_format":
        return value in BaseFormat.values
    if name == "content_type":
        return value in ContentType.values
    return True


def _known_metadata(post: Post, stats: PostStats) -> dict[str, Any]:
    """The metadata of a provider's answer that `post` takes: only what the answer knows and
    can be stored, so a provider that knows less never erases what another one found."""
    known = {}
    for name in METADATA_FIELDS:
        value = getattr(stats, name)
        if value is None or value == "" or not _storable(name, value):
            continue
        if name == "username":
            value = _normalized_username(post.platform, value)[:100]
        known[name] = value
    if post.is_short:  # added by a /shorts/ URL: a Short whatever the answer's aspect ratio
        known["base_format"], known["content_type"] = BaseFormat.VIDEO, ContentType.VIDEO_SHORT
    return known


def _stats_copy(post: Post, stats: PostStats, *, now: datetime) -> dict[str, Any]:
    """Copy a provider's answer onto `post` (in memory): counters exactly as answered (`None`:
    the platform does not expose it), known metadata, next refresh by age, clean bookkeeping.
    Returns the metadata it took."""
    for name in COUNTER_FIELDS:
        setattr(post, name, getattr(stats, name))
    known = _known_metadata(post, stats)
    for name, value in known.items():
        setattr(post, name, value)
    post.last_updated = now
    for name, value in _CLEAN_BOOKKEEPING.items():
        setattr(post, name, value)
    post.next_refresh_at = post_next_refresh_at(post, now=now)
    return known


def _snapshot_source(stats: PostStats) -> str:
    return (stats.source or "")[:32]


def post_stats_apply(post: Post, stats: PostStats, *, now: datetime) -> PostSnapshot:
    """Copy a provider's answer onto `post` (in memory) and return the snapshot to write.

    Counters are taken exactly as answered (`None`: the platform does not expose it); metadata
    only when known, so a provider that knows less never erases what another one found.
    """
    _stats_copy(post, stats, now=now)
    return PostSnapshot(
        post=post,
        captured_at=now,
        **{name: getattr(stats, name) for name in COUNTER_FIELDS},
        source=_snapshot_source(stats),
    )


@dataclass(frozen=True)
class _Author:
    platform: str
    username: str
    external_id: str | None


def _link_posts_to_authors(answered: Iterable[tuple[Post, PostStats]]) -> None:
    # Posts whose author an answer named (a username, or only a YouTube channel id) are linked
    # to the author's account, if tracked. The UPDATE is conditional so a link made meanwhile
    # (an account added) is kept.
    authors = {
        post: _Author(post.platform, post.username, stats.author_id)
        for post, stats in answered
        if post.account_id is None and (post.username or stats.author_id)
    }
    if not authors:
        return
    accounts = accounts_by_username(authors.values())
    by_account: dict[Any, list[int]] = {}
    for post, author in authors.items():
        account = accounts.get((post.platform, post.username)) if post.username else None
        if account is None and author.external_id:
            account = accounts.get((post.platform, author.external_id))
        if account is not None:
            post.account = account
            by_account.setdefault(account, []).append(post.pk)
    for account, ids in by_account.items():
        Post.objects.filter(pk__in=ids, account__isnull=True).update(account=account)


def _refresh_failed(post: Post, error: ProviderError | None, report: WorkReport, now: datetime):
    """A post the providers gave no stats for: found deleted (settled), or backing off."""
    post.refresh_claimed_until = None
    if isinstance(error, NotFound):
        # Deleted on the platform: its history stays, refreshes stop.
        post.deleted_at = now
        post.next_refresh_at = None
        report.item_ok(post)
        return
    error = error or ProviderError("The provider answered nothing for this post.")
    post.refresh_failures += 1
    # Visible on the post from its first failure (admin page, API), not only as a dead letter.
    post.refresh_error = error_text(error)
    post.refresh_error_at = now
    post.next_refresh_at = now + job_backoff(failures=post.refresh_failures, error=error)
    report.item_failed(post, error=post.refresh_error, attempts=post.refresh_failures)


def _refresh_batch(posts: list[Post], *, now: datetime) -> tuple[WorkReport, set[str]]:
    report = WorkReport(kind=POST_REFRESH, batches=1)
    tokens = account_tokens({p.account_id for p in posts})  # own accounts: their token
    refs = [
        PostRef(
            platform=p.platform,
            post_id=p.post_id,
            url=p.url,
            username=p.username or None,
            is_short=p.is_short,
            token=tokens.get(p.account_id),
        )
        for p in posts
    ]
    results = chain.fetch_posts(refs)  # network: outside any transaction

    refreshed: list[tuple[Post, PostStats, dict[str, Any]]] = []
    deleted, failed = [], []
    limited: dict[str, bool] = {}  # platform -> every answer was a rate limit / quota
    for post, result in zip(posts, results, strict=True):
        error = result.error
        is_limit = isinstance(error, RateLimited | QuotaExhausted)
        limited[post.platform] = limited.get(post.platform, True) and is_limit
        if error is None and result.stats is not None:
            refreshed.append((post, result.stats, _stats_copy(post, result.stats, now=now)))
            report.item_ok(post)
        else:
            _refresh_failed(post, error, report, now)
            (deleted if isinstance(error, NotFound) else failed).append(post)

    touched = timezone.now()
    for post in posts:
        post.updated_at = touched
    with transaction.atomic():
        _write_refreshed(refreshed, now=now, touched=touched)
        _write_failed(deleted, failed, touched=touched)
        _link_posts_to_authors((post, stats) for post, stats, _ in refreshed)
    paused = {platform for platform, all_limited in limited.items() if all_limited}
    return report, paused


def _write_refreshed(
    refreshed: list[tuple[Post, PostStats, dict[str, Any]]], *, now: datetime, touched: datetime
) -> None:
    """The snapshots and the posts' new fields of a batch, from values, not model instances:
    what differs per post is sent per post, what every post gets once, and a metadata field
    only when some answer of the batch knew it (a post whose answer did not keeps its own)."""
    # A rerun at the same captured_at writes no second snapshot.
    rows_insert(
        PostSnapshot,
        ("post", *COUNTER_FIELDS, "source"),
        [
            (post.pk, *(getattr(stats, name) for name in COUNTER_FIELDS), _snapshot_source(stats))
            for post, stats, _ in refreshed
        ],
        same={"captured_at": now},
        ignore_conflicts=True,
    )
    known_anywhere = set().union(*(known for *_, known in refreshed))
    metadata = [name for name in METADATA_FIELDS if name in known_anywhere]
    rows_update(
        Post,
        (*COUNTER_FIELDS, "next_refresh_at", *metadata),
        [
            (
                post.pk,
                *(getattr(stats, name) for name in COUNTER_FIELDS),
                post.next_refresh_at,
                *(known.get(name) for name in metadata),
            )
            for post, stats, known in refreshed
        ],
        same={"last_updated": now, **_CLEAN_BOOKKEEPING, "updated_at": touched},
        keep_if_none=metadata,
    )


def _write_failed(deleted: list[Post], failed: list[Post], *, touched: datetime) -> None:
    """The posts found deleted (settled) and those backing off: the fields _refresh_failed
    set on them, and their claims released."""
    released = {"refresh_claimed_until": None, "updated_at": touched}
    rows_update(
        Post,
        ("deleted_at", "next_refresh_at"),
        [(p.pk, p.deleted_at, p.next_refresh_at) for p in deleted],
        same=released,
    )
    rows_update(
        Post,
        ("refresh_failures", "refresh_error", "refresh_error_at", "next_refresh_at"),
        [
            (p.pk, p.refresh_failures, p.refresh_error, p.refresh_error_at, p.next_refresh_at)
            for p in failed
        ],
        same=released,
    )


def post_refresh_batch(*, posts: list[Post], now: datetime | None = None) -> WorkReport:
    """Fetch the stats of claimed `posts` in one chain call and write them in bulk: snapshots,
    current fields, next refresh by age; failures back off; the claims are released."""
    report, _ = _refresh_batch(posts, now=now or timezone.now())
    return report


def post_refresh_due(
    *,
    now: datetime | None = None,
    batch_size: int | None = None,
    time_budget: float | None = None,
    on_batch: Callable[[WorkReport], None] | None = None,
) -> WorkReport:
    """One refresh pass: claim due posts batch by batch and refresh them, until none is due or
    `time_budget` seconds have passed. `now` fixes the moment (tests); by default each batch
    takes the current time. A platform whose every answer in a batch was a rate limit or an
    exhausted quota is left alone for the rest of the pass. Returns the pass's counts."""
    batch_size = batch_size or settings.REFRESH_BATCH_SIZE
    deadline = None if time_budget is None else time.monotonic() + time_budget
    total = WorkReport(kind=POST_REFRESH)
    paused: set[str] = set()
    after = None  # the queue position of the last post this pass claimed
    while deadline is None or time.monotonic() < deadline:
        batch_now = now or timezone.now()
        posts = posts_claim_due(
            now=batch_now, limit=batch_size, exclude_platforms=paused, after=after
        )
        if not posts and after is not None:
            # Once more from the queue's start: posts that became due behind the position
            # (added, an expired claim of a dead worker, an operator's "refresh soon").
            after = None
            posts = posts_claim_due(now=batch_now, limit=batch_size, exclude_platforms=paused)
        if not posts:
            break
        after = max(queue_position(post) for post in posts)
        report, limited = _refresh_batch(posts, now=batch_now)
        paused |= limited
        if on_batch is not None:
            on_batch(report)
        total.add_counts(report)
    return total


def posts_refresh_soon(*, ids: Iterable[int]) -> int:
    """Make posts due on the next refresh pass, with a clean failure count (an operator
    replays dead letters). Deleted posts stay deleted."""
    return Post.objects.filter(pk__in=list(ids), deleted_at__isnull=True).update(
        next_refresh_at=None, refresh_failures=0, updated_at=timezone.now()
    )


def post_refresh_ids(*, ids: Iterable[int], now: datetime | None = None) -> WorkReport:
    """Refresh these posts now, due or not (e.g. just added); posts another worker holds, and
    deleted posts, are skipped."""
    now = now or timezone.now()
    posts = objects_claim_ids(
        Post.objects.filter(deleted_at__isnull=True),
        ids=ids,
        claim_field="refresh_claimed_until",
        now=now,
        fields=_CLAIMED_FIELDS,
    )
    if not posts:
        return WorkReport(kind=POST_REFRESH)
    return post_refresh_batch(posts=posts, now=now)
