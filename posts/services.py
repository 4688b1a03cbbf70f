"""Writes on posts: adding by URL (one or many), editing business fields."""

import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connections, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from core.bulk import BATCH_SIZE, CREATED, EXISTS, INVALID, AddResult
from core.errors import DomainError
from platforms.providers import chain
from platforms.providers.base import (
    NotFound,
    PostRef,
    PostStats,
    ProviderError,
    QuotaExhausted,
    RateLimited,
)
from platforms.resolve import ShortLinkError, resolve_short_link
from platforms.urls import KIND_POST, ParsedURL, UnsupportedURL, parse_url

from .choices import BaseFormat, ContentType, Platform, ProcessingStatus, TrialStatus
from .models import Post, PostSnapshot
from .queries import posts_due_for_refresh

logger = logging.getLogger(__name__)

# Fields a user sets when adding posts; the rest comes from the URL and the platforms.
BUSINESS_FIELDS = ("client", "editor", "assignee", "type", "finance_item", "extra")


@dataclass
class _Candidate:
    index: int
    parsed: ParsedURL
    results: list[int] = field(default_factory=list)


def parse_post_url(
    url: str, *, resolve: Callable[[str], ParsedURL] = resolve_short_link
) -> ParsedURL:
    """Parse a pasted post URL, following a short link; raise DomainError with the reason."""
    try:
        parsed = parse_url(url)
        if parsed.needs_redirect:
            parsed = resolve(parsed.canonical_url)
    except UnsupportedURL as exc:
        raise DomainError(str(exc), code="unsupported_url") from exc
    except ShortLinkError as exc:
        raise DomainError(
            f"{exc} Paste the full post URL instead.", code="short_link_unresolved"
        ) from exc
    if parsed.kind != KIND_POST:
        raise DomainError(
            "This is a profile URL, not a post: add it as an account.", code="not_a_post"
        )
    return parsed


def _account_model():
    # posts must not import creators (creators imports posts); the FK knows the model.
    return Post._meta.get_field("account").related_model


def _accounts_by_username(parsed: Iterable[ParsedURL]) -> dict[tuple[str, str], Any]:
    wanted: dict[str, set[str]] = {}
    for p in parsed:
        if p.username:
            wanted.setdefault(p.platform, set()).add(p.username)
    found = {}
    for platform, usernames in wanted.items():
        for account in (
            _account_model()
            .objects.filter(platform=platform, username__in=usernames)
            .only("id", "platform", "username")
        ):
            found[(platform, account.username)] = account
    return found


def _existing_posts(keys: set[tuple[str, str]]) -> dict[tuple[str, str], Post]:
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


def post_bulk_add(
    *,
    urls: Sequence[str],
    added_by=None,
    is_trial: bool = False,
    boards: Iterable = (),
    resolve: Callable[[str], ParsedURL] = resolve_short_link,
    **business: Any,
) -> list[AddResult]:
    """Add many posts by URL; one result per URL, in order. A bad URL never blocks the others.

    Idempotent: the platform's post id is the key, so the same post pasted in two forms (or
    twice) is one post; posts already there are reported and left as they are, except that an
    author learned from this URL completes a post whose author was unknown.
    """
    unknown = set(business) - set(BUSINESS_FIELDS)
    if unknown:
        raise TypeError(f"Unknown post fields: {', '.join(sorted(unknown))}")
    boards = list(boards)
    results = [AddResult(url=url) for url in urls]
    candidates: dict[tuple[str, str], _Candidate] = {}
    for index, url in enumerate(urls):
        try:
            parsed = parse_post_url(url, resolve=resolve)
        except DomainError as exc:
            results[index].error = exc.message
            continue
        key = (parsed.platform, parsed.post_id)
        candidate = candidates.setdefault(key, _Candidate(index=index, parsed=parsed))
        candidate.results.append(index)
        if parsed.username and not candidate.parsed.username:
            candidate.parsed = parsed  # the form that names the author is the better one

    now = timezone.now()
    with transaction.atomic():
        existing = _existing_posts(set(candidates))
        accounts = _accounts_by_username(c.parsed for c in candidates.values())
        to_create, to_complete = [], []
        for key, candidate in candidates.items():
            parsed = candidate.parsed
            account = accounts.get((parsed.platform, parsed.username)) if parsed.username else None
            post = existing.get(key)
            if post is None:
                to_create.append(
                    Post(
                        url=parsed.canonical_url,
                        platform=parsed.platform,
                        post_id=parsed.post_id,
                        username=parsed.username or "",
                        account=account,
                        is_trial=is_trial,
                        trial_status=TrialStatus.PENDING if is_trial else None,
                        added_by=added_by,
                        added_date=now,
                        **{"extra": {}, **business},
                    )
                )
            elif parsed.username and not post.username:
                post.username = parsed.username
                post.url = parsed.canonical_url
                post.account = post.account or account
                to_complete.append(post)

        for start in range(0, len(to_create), BATCH_SIZE):
            # A concurrent request may add the same post meanwhile: its row wins, ours is skipped.
            Post.objects.bulk_create(to_create[start : start + BATCH_SIZE], ignore_conflicts=True)
        if to_complete:
            Post.objects.bulk_update(
                to_complete, ["username", "url", "account"], batch_size=BATCH_SIZE
            )

        created_keys = {(p.platform, p.post_id) for p in to_create}
        stored = _existing_posts(created_keys) if created_keys else {}
        if boards and stored:
            through = Post.boards.through
            through.objects.bulk_create(
                [
                    through(post_id=post.pk, board_id=board.pk)
                    for post in stored.values()
                    for board in boards
                ],
                ignore_conflicts=True,
                batch_size=BATCH_SIZE,
            )

    for key, candidate in candidates.items():
        first = True
        for index in candidate.results:
            post = existing.get(key) or stored.get(key)
            created = key not in existing and first
            results[index].status = CREATED if created else EXISTS
            results[index].obj = post
            first = False
    return results


def post_add(*, url: str, **kwargs: Any) -> tuple[Post, bool]:
    """Add one post by URL; returns (post, created). Raises DomainError for a bad URL."""
    (result,) = post_bulk_add(urls=[url], **kwargs)
    if result.status == INVALID:
        raise DomainError(result.error, code="invalid_url", fields={"url": [result.error]})
    return result.obj, result.status == CREATED


def post_update(*, post: Post, boards: Iterable | None = None, **fields: Any) -> Post:
    """Edit a post's business and trial-independent fields; validates before saving."""
    for name, value in fields.items():
        setattr(post, name, value)
    with transaction.atomic():
        if fields:
            post.full_clean(validate_unique=False)
            post.save(update_fields=[*fields, "updated_at"])
        if boards is not None:
            post.boards.set(boards)
    return post


# --- Stats refresh (jobs) ---------------------------------------------------------------------
# The job layer (operations.jobs) opens a JobRun, calls these services and records their
# reports: counts, and the items that failed past the limit (dead letters). posts must not
# import operations, hence plain reports.

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
    "next_refresh_at",
    "refresh_claimed_until",
    "deleted_at",
    "updated_at",
)


@dataclass
class ItemFailure:
    """One object a job failed on, past the retry limit: it becomes a dead letter."""

    obj: Any
    error: str
    attempts: int
    label: str = ""
    url: str = ""


@dataclass
class WorkReport:
    """What a batch of a job did. `ok_objects` succeeded or were settled (e.g. found deleted):
    their open dead letters are resolved. `failed` counts every object that failed this time;
    `dead_letters` are those past the limit."""

    kind: str
    ok: int = 0
    failed: int = 0
    created: int = 0  # new objects the work made (e.g. posts found by detection)
    ok_objects: list = field(default_factory=list)
    dead_letters: list[ItemFailure] = field(default_factory=list)
    batches: int = 0

    def add_counts(self, other: "WorkReport") -> None:
        self.ok += other.ok
        self.failed += other.failed
        self.created += other.created
        self.batches += other.batches


def error_text(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:2000]


def job_backoff(*, failures: int, error: BaseException | None = None) -> timedelta:
    """How long a failed item waits: a rate limit's `retry_after` when it says, else
    exponential (REFRESH_BACKOFF_SECONDS * 2^(failures-1), capped)."""
    retry_after = getattr(error, "retry_after", None)
    if retry_after:
        return timedelta(seconds=float(retry_after))
    base, cap = settings.REFRESH_BACKOFF_SECONDS, settings.REFRESH_BACKOFF_MAX_SECONDS
    return timedelta(seconds=min(base * 2 ** max(failures - 1, 0), cap))


def rows_claim(
    queryset: QuerySet, *, claim_field: str, now: datetime, limit: int, order_by: Sequence
) -> list[int]:
    """Claim up to `limit` rows of `queryset` for this worker until now + the claim TTL; return
    their ids. Rows claimed by another worker (claim not yet expired) are skipped, and on
    PostgreSQL so are rows another worker is claiming right now (SKIP LOCKED); SQLite's
    immediate transactions serialize claimers. A claim that is never released (the worker
    died) expires, and the rows are taken again."""
    free = Q(**{f"{claim_field}__isnull": True}) | Q(**{f"{claim_field}__lte": now})
    until = now + timedelta(seconds=settings.REFRESH_CLAIM_TTL_SECONDS)
    with transaction.atomic(using=queryset.db):
        candidates = queryset.filter(free).order_by(*order_by)
        if connections[queryset.db].features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True, of=("self",))
        ids = list(candidates.values_list("pk", flat=True)[:limit])
        if ids:
            # Compare-and-set: only rows still free are taken.
            queryset.model._default_manager.filter(free, pk__in=ids).update(**{claim_field: until})
    return ids


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
    *, now: datetime, limit: int, exclude_platforms: Iterable[str] = ()
) -> list[Post]:
    """Claim up to `limit` due posts (never refreshed first, then the longest overdue)."""
    queryset = posts_due_for_refresh(now=now)
    exclude_platforms = list(exclude_platforms)
    if exclude_platforms:
        queryset = queryset.exclude(platform__in=exclude_platforms)
    ids = rows_claim(
        queryset,
        claim_field="refresh_claimed_until",
        now=now,
        limit=limit,
        order_by=[F("next_refresh_at").asc(nulls_first=True), "id"],
    )
    return list(Post.objects.filter(pk__in=ids).order_by("pk"))


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


def post_stats_apply(post: Post, stats: PostStats, *, now: datetime) -> PostSnapshot:
    """Copy a provider's answer onto `post` (in memory) and return the snapshot to write.

    Counters are taken exactly as answered (`None`: the platform does not expose it); metadata
    only when known, so a provider that knows less never erases what another one found.
    """
    for name in COUNTER_FIELDS:
        setattr(post, name, getattr(stats, name))
    for name in METADATA_FIELDS:
        value = getattr(stats, name)
        if value is None or value == "" or not _storable(name, value):
            continue
        if name == "username":
            value = _normalized_username(post.platform, value)[:100]
        setattr(post, name, value)
    post.last_updated = now
    post.refresh_failures = 0
    post.refresh_claimed_until = None
    post.next_refresh_at = post_next_refresh_at(post, now=now)
    return PostSnapshot(
        post=post,
        captured_at=now,
        **{name: getattr(stats, name) for name in COUNTER_FIELDS},
        source=(stats.source or "")[:32],
    )


def _link_posts_to_authors(posts: Iterable[Post]) -> None:
    # Posts whose author became known are linked to the author's account, if tracked. The
    # UPDATE is conditional so a link made meanwhile (an account added) is kept.
    unlinked = [p for p in posts if p.account_id is None and p.username]
    if not unlinked:
        return
    accounts = _accounts_by_username(unlinked)  # anything with .platform and .username
    by_account: dict[Any, list[int]] = {}
    for post in unlinked:
        account = accounts.get((post.platform, post.username))
        if account is not None:
            by_account.setdefault(account, []).append(post.pk)
    for account, ids in by_account.items():
        Post.objects.filter(pk__in=ids, account__isnull=True).update(account=account)


def _refresh_batch(posts: list[Post], *, now: datetime) -> tuple[WorkReport, set[str]]:
    report = WorkReport(kind=POST_REFRESH, batches=1)
    refs = [
        PostRef(platform=p.platform, post_id=p.post_id, url=p.url, username=p.username or None)
        for p in posts
    ]
    results = chain.fetch_posts(refs)  # network: outside any transaction

    snapshots, refreshed, settled = [], [], []
    limited: dict[str, bool] = {}  # platform -> every answer was a rate limit / quota
    for post, result in zip(posts, results, strict=True):
        error = result.error
        is_limit = isinstance(error, RateLimited | QuotaExhausted)
        limited[post.platform] = limited.get(post.platform, True) and is_limit
        if error is None and result.stats is not None:
            snapshots.append(post_stats_apply(post, result.stats, now=now))
            refreshed.append(post)
            report.ok += 1
            report.ok_objects.append(post)
            continue
        post.refresh_claimed_until = None
        if isinstance(error, NotFound):
            # Deleted on the platform: its history stays, refreshes stop.
            post.deleted_at = now
            post.next_refresh_at = None
            report.ok += 1
            report.ok_objects.append(post)
        else:
            error = error or ProviderError("The provider answered nothing for this post.")
            post.refresh_failures += 1
            post.next_refresh_at = now + job_backoff(failures=post.refresh_failures, error=error)
            report.failed += 1
            if post.refresh_failures >= settings.REFRESH_MAX_FAILURES:
                report.dead_letters.append(
                    ItemFailure(
                        obj=post,
                        error=error_text(error),
                        attempts=post.refresh_failures,
                        label=str(post)[:300],
                        url=post.url,
                    )
                )
        settled.append(post)

    touched = timezone.now()
    for post in posts:
        post.updated_at = touched
    with transaction.atomic():
        # A rerun at the same captured_at writes no second snapshot.
        PostSnapshot.objects.bulk_create(snapshots, ignore_conflicts=True, batch_size=BATCH_SIZE)
        if refreshed:
            Post.objects.bulk_update(
                refreshed,
                [*COUNTER_FIELDS, *METADATA_FIELDS, "last_updated", *_BOOKKEEPING_FIELDS],
                batch_size=BATCH_SIZE,
            )
        if settled:
            Post.objects.bulk_update(settled, _BOOKKEEPING_FIELDS, batch_size=BATCH_SIZE)
        _link_posts_to_authors(refreshed)
    paused = {platform for platform, all_limited in limited.items() if all_limited}
    return report, paused


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
    while deadline is None or time.monotonic() < deadline:
        batch_now = now or timezone.now()
        posts = posts_claim_due(now=batch_now, limit=batch_size, exclude_platforms=paused)
        if not posts:
            break
        report, limited = _refresh_batch(posts, now=batch_now)
        paused |= limited
        if on_batch is not None:
            on_batch(report)
        total.add_counts(report)
    return total


# --- New posts found on a tracked account (detection) -----------------------------------------

_POST_URL_TEMPLATES = {
    Platform.INSTAGRAM: "https://www.instagram.com/p/{post_id}/",
    Platform.TIKTOK: "https://www.tiktok.com/@{username}/video/{post_id}",
    Platform.YOUTUBE: "https://www.youtube.com/watch?v={post_id}",
}


def _detected_post_url(item: PostStats | PostRef, username: str) -> str | None:
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
            return parsed.canonical_url
    return None


def post_bulk_add_detected(
    *, account: Any, items: Sequence[PostStats | PostRef], now: datetime | None = None
) -> list[Post]:
    """Create the posts of `account`'s recent listing that are not tracked yet; return them.

    Idempotent on (platform, post id): posts already tracked are left as they are (linked to
    the account if they had none). New posts are linked to the account, wait for the AI
    (`processing_status` pending), carry `detected_at` (the new-post feed) and, when the listing
    had their stats, their first snapshot and current fields.
    """
    now = now or timezone.now()
    wanted: dict[tuple[str, str], tuple[PostStats | PostRef, str]] = {}
    for item in items:
        url = _detected_post_url(item, account.username)
        if url is None:
            logger.warning("Listing of %s gave an unusable post: %r", account, item)
            continue
        wanted.setdefault((item.platform, item.post_id), (item, url))

    with transaction.atomic():
        existing = _existing_posts(set(wanted))
        if existing:
            Post.objects.filter(
                pk__in=[p.pk for p in existing.values()], account__isnull=True
            ).update(account=account)
        new_keys = set(wanted) - set(existing)
        Post.objects.bulk_create(
            [
                Post(
                    url=wanted[key][1],
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
            ignore_conflicts=True,  # a post added meanwhile by URL wins
            batch_size=BATCH_SIZE,
        )
        created = [
            post
            for post in _existing_posts(new_keys).values()
            if post.detected_at == now and post.account_id == account.pk
        ]
        snapshots, with_stats = [], []
        for post in created:
            item = wanted[(post.platform, post.post_id)][0]
            if isinstance(item, PostStats):
                snapshots.append(post_stats_apply(post, item, now=now))
                with_stats.append(post)
        PostSnapshot.objects.bulk_create(snapshots, ignore_conflicts=True, batch_size=BATCH_SIZE)
        Post.objects.bulk_update(
            with_stats,
            [*COUNTER_FIELDS, *METADATA_FIELDS, "last_updated", *_BOOKKEEPING_FIELDS],
            batch_size=BATCH_SIZE,
        )
    return sorted(created, key=lambda p: p.pk)


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
    ids = list(ids)
    claimed = rows_claim(
        Post.objects.filter(pk__in=ids, deleted_at__isnull=True),
        claim_field="refresh_claimed_until",
        now=now,
        limit=len(ids),
        order_by=["id"],
    )
    posts = list(Post.objects.filter(pk__in=claimed).order_by("pk"))
    if not posts:
        return WorkReport(kind=POST_REFRESH)
    return post_refresh_batch(posts=posts, now=now)
