"""Writes on posts: adding by URL (one or many), editing business fields."""

import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connections, transaction
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from ai.classify import classify
from ai.client import OFFICIAL_BASE_URL, build_client
from ai.config import AIConfig, config_from_settings
from ai.errors import AIError, AIInvalidAnswer, AINotConfigured, AITransientError
from ai.prompts import PROMPT_VERSION
from ai.types import Classification, PostInput, Taxonomy
from core.audit import audit_record, audit_record_many, audit_values
from core.bulk import (
    BATCH_SIZE,
    CREATED,
    EXISTS,
    INVALID,
    AddResult,
    already_tracked_error,
    bulk_update_rows,
    hide_rows_not_visible,
)
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
from settings_app.access import posts_visible_to
from settings_app.models import Category, Subcategory

from .choices import BaseFormat, ContentType, Platform, ProcessingStatus, ReelStyle, TrialStatus
from .models import Post, PostSnapshot
from .queries import not_demo, posts_due_for_refresh

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
    author learned from this URL completes a post whose author was unknown. A post `added_by`
    may not see (another editor's) is reported as existing without the post itself.
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
        # Where a concurrent request won, the stored row is theirs: it carries their moment.
        stored = {key: post for key, post in stored.items() if post.added_date == now}
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
            created = key in stored and first
            if post is None:  # a concurrent request added it: someone else's row
                post = _existing_posts({key}).get(key)
            results[index].status = CREATED if created else EXISTS
            results[index].obj = post
            first = False
    if added_by is not None:  # None: a job or a script, which sees every post
        hide_rows_not_visible(results, posts_visible_to(added_by, Post.objects.all()))
    return results


def post_add(*, url: str, **kwargs: Any) -> tuple[Post, bool]:
    """Add one post by URL; returns (post, created). Raises DomainError for a bad URL, and
    ConflictError for a post already tracked that `added_by` may not see."""
    (result,) = post_bulk_add(urls=[url], **kwargs)
    if result.status == INVALID:
        raise DomainError(result.error, code="invalid_url", fields={"url": [result.error]})
    if result.status == EXISTS and result.obj is None:
        raise already_tracked_error(Post)
    return result.obj, result.status == CREATED


def post_update(*, post: Post, boards: Iterable | None = None, actor=None, **fields: Any) -> Post:
    """Edit a post's business and trial-independent fields; validates before saving. The
    changes are recorded in the audit trail, with `actor`."""
    audited = [*fields, *(["boards"] if boards is not None else [])]
    before = audit_values(post, audited)
    for name, value in fields.items():
        setattr(post, name, value)
    with transaction.atomic():
        if fields:
            post.full_clean(validate_unique=False)
            post.save(update_fields=[*fields, "updated_at"])
        if boards is not None:
            post.boards.set(boards)
        audit_record(actor=actor, obj=post, before=before, after=audit_values(post, audited))
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
    connection = connections[queryset.db]
    with transaction.atomic(using=queryset.db):
        candidates = queryset.filter(free).order_by(*order_by)
        if connection.vendor == "postgresql":
            return _rows_claim_in_one_statement(candidates, claim_field, until, limit)
        if connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True, of=("self",))
        ids = list(candidates.values_list("pk", flat=True)[:limit])
        if ids:
            # Compare-and-set: only rows still free are taken.
            queryset.model._default_manager.filter(free, pk__in=ids).update(**{claim_field: until})
    return ids


def _rows_claim_in_one_statement(
    candidates: QuerySet, claim_field: str, until: datetime, limit: int
) -> list[int]:
    """PostgreSQL: `UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED LIMIT n) RETURNING
    id`, one round trip instead of a select and an update."""
    connection = connections[candidates.db]
    meta = candidates.model._meta
    field = meta.get_field(claim_field)
    locked = candidates.select_for_update(skip_locked=True, of=("self",)).values("pk")[:limit]
    sql, params = locked.query.sql_with_params()
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(meta.db_table)} SET {quote(field.column)} = %s "
            f"WHERE {quote(meta.pk.column)} IN ({sql}) RETURNING {quote(meta.pk.column)}",
            [field.get_db_prep_save(until, connection), *params],
        )
        return sorted(row[0] for row in cursor.fetchall())


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
        order_by=["due_at", "id"],  # posts.queries.posts_refresh_queue
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
        bulk_update_rows(
            refreshed,
            [*COUNTER_FIELDS, *METADATA_FIELDS, "last_updated", *_BOOKKEEPING_FIELDS],
            batch_size=BATCH_SIZE,
        )
        bulk_update_rows(settled, _BOOKKEEPING_FIELDS, batch_size=BATCH_SIZE)
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


# --- AI classification (specs/ai.md) ----------------------------------------------------------
# posts turns its rows into the AI library's plain data (ai.PostInput, ai.Taxonomy) and writes
# the answers back; the `classify_posts` job (operations.jobs) runs post_classify_pending.

AI_CLASSIFICATION = "ai_classification"  # the dead-letter kind (operations.models.FailedItemKind)

_AI_FIELDS = (
    "idea_concept",
    "category",
    "reel_style",
    "processing_status",
    "ai_attempts",
    "ai_error",
    "ai_model",
    "ai_prompt_version",
    "ai_prompt_tokens",
    "ai_completion_tokens",
    "ai_processed_at",
    "ai_next_attempt_at",
    "updated_at",
)
_STUCK_ERROR = "Stuck in processing longer than AI_PROCESSING_TIMEOUT_MINUTES (its worker stopped)."
_REEL_STYLE_BY_LABEL = {label: value for value, label in ReelStyle.choices}


@dataclass(frozen=True)
class AITaxonomy:
    """The taxonomy as the AI library takes it, and the ids of its names."""

    taxonomy: Taxonomy
    category_ids: dict[str, int]
    subcategory_ids: dict[tuple[str, str], int]


@dataclass(frozen=True)
class _Released:
    """A post not sent (the pass stopped): back to pending, the attempt not counted."""

    until: datetime | None = None


def ai_taxonomy() -> AITaxonomy:
    """The current taxonomy (categories with at least one sub-category), in one query."""
    categories: dict[str, list[str]] = {}
    descriptions, category_ids, subcategory_ids = {}, {}, {}
    rows = Subcategory.objects.order_by("category__name", "name").values_list(
        "category_id", "category__name", "category__description", "pk", "name"
    )
    for category_id, category, description, pk, name in rows:
        categories.setdefault(category, []).append(name)
        category_ids[category] = category_id
        subcategory_ids[(category, name)] = pk
        if description:
            descriptions[category] = description
    taxonomy = Taxonomy(
        categories={name: tuple(subs) for name, subs in categories.items()},
        reel_styles=tuple(ReelStyle.labels),
        descriptions=descriptions,
    )
    return AITaxonomy(taxonomy, category_ids, subcategory_ids)


def post_ai_input(post: Post) -> PostInput:
    """What the model is told about `post` (load it with its account)."""
    account = post.account if post.account_id else None
    return PostInput(
        platform=Platform(post.platform).label if post.platform in Platform.values else "",
        is_video=post.base_format == BaseFormat.VIDEO,
        base_format=post.get_base_format_display() if post.base_format else "",
        content_type=post.get_content_type_display() if post.content_type else "",
        caption=post.caption,
        duration_s=post.duration_s,
        username=post.username,
        account_bio=getattr(account, "biography", "") or "",
        thumbnail_url=post.thumbnail_url,
    )


def posts_ai_queue(*, now: datetime) -> QuerySet[Post]:
    """Posts waiting for the AI at `now`: pending, not trial reels, not demo rows, past their
    backoff, and with their metadata (first stats refresh) or added AI_WAIT_FOR_STATS_MINUTES
    ago (a caption makes a far better answer than a bare URL)."""
    waited = now - timedelta(minutes=settings.AI_WAIT_FOR_STATS_MINUTES)
    return Post.objects.filter(
        Q(ai_next_attempt_at__isnull=True) | Q(ai_next_attempt_at__lte=now),
        Q(last_updated__isnull=False) | Q(deleted_at__isnull=False) | Q(added_date__lte=waited),
        not_demo(),
        processing_status=ProcessingStatus.PENDING,
        is_trial=False,
    )


def posts_claim_for_classification(*, now: datetime, limit: int) -> list[Post]:
    """Claim up to `limit` queued posts: `processing`, one more attempt, taken back at
    now + AI_PROCESSING_TIMEOUT_MINUTES if still processing. Rows another worker is claiming
    are skipped (SKIP LOCKED on PostgreSQL; SQLite serializes writers); the UPDATE only takes
    rows still pending (compare-and-set)."""
    until = now + timedelta(minutes=settings.AI_PROCESSING_TIMEOUT_MINUTES)
    with transaction.atomic():
        candidates = posts_ai_queue(now=now).order_by("id")
        if connections[candidates.db].features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True, of=("self",))
        ids = list(candidates.values_list("pk", flat=True)[:limit])
        if ids:
            Post.objects.filter(
                pk__in=ids, processing_status=ProcessingStatus.PENDING, is_trial=False
            ).update(
                processing_status=ProcessingStatus.PROCESSING,
                ai_attempts=F("ai_attempts") + 1,
                ai_next_attempt_at=until,
                updated_at=timezone.now(),
            )
    return list(
        Post.objects.filter(
            pk__in=ids, processing_status=ProcessingStatus.PROCESSING, ai_next_attempt_at=until
        )
        .select_related("account")
        .order_by("pk")
    )


def _ai_dead_letter(post: Post) -> ItemFailure:
    return ItemFailure(
        obj=post,
        error=post.ai_error,
        attempts=post.ai_attempts,
        label=str(post)[:300],
        url=post.url,
    )


def posts_recover_stuck_processing(*, now: datetime) -> WorkReport:
    """Posts in `processing` past their deadline (a worker died) go back to pending, or are
    failed (and dead letters) when they had their AI_MAX_ATTEMPTS."""
    report = WorkReport(kind=AI_CLASSIFICATION)
    stuck = Post.objects.filter(
        Q(ai_next_attempt_at__isnull=True) | Q(ai_next_attempt_at__lte=now),
        processing_status=ProcessingStatus.PROCESSING,
    )
    report.failed += stuck.filter(ai_attempts__lt=settings.AI_MAX_ATTEMPTS).update(
        processing_status=ProcessingStatus.PENDING,
        ai_next_attempt_at=None,
        ai_error=_STUCK_ERROR,
        updated_at=timezone.now(),
    )
    while True:
        posts = list(stuck.order_by("pk")[:BATCH_SIZE])  # only the exhausted ones are left
        if not posts:
            break
        changed = Post.objects.filter(
            pk__in=[p.pk for p in posts], processing_status=ProcessingStatus.PROCESSING
        ).update(
            processing_status=ProcessingStatus.FAILED,
            ai_next_attempt_at=None,
            ai_error=_STUCK_ERROR,
            ai_processed_at=now,
            updated_at=timezone.now(),
        )
        report.failed += changed
        for post in posts:
            post.ai_error = _STUCK_ERROR
            report.dead_letters.append(_ai_dead_letter(post))
    return report


def _classify_all(
    inputs: list[PostInput],
    taxonomy: Taxonomy,
    config: AIConfig,
    *,
    now: datetime,
    deadline: float | None,
) -> tuple[list[Any], bool]:
    """Classify `inputs` with AI_CONCURRENCY requests in flight at most; one outcome per input
    (a Classification, an AI error, or _Released). No database work here: threads only wait
    on the network. A rate limit, a refused key or the deadline stops sending: the posts not
    sent yet are released. Returns (outcomes, stopped)."""
    client = build_client(config)
    stop = threading.Event()
    pause: list[datetime | None] = [None]

    def work(post_input: PostInput) -> Any:
        if stop.is_set() or (deadline is not None and time.monotonic() > deadline):
            return _Released(until=pause[0])
        try:
            return classify(post_input, taxonomy, config, client=client)
        except AINotConfigured as exc:
            stop.set()
            return exc
        except AITransientError as exc:
            if exc.rate_limited:
                pause[0] = now + job_backoff(failures=1, error=exc)
                stop.set()
            return exc
        except AIError as exc:
            return exc
        except Exception as exc:  # a bug must not leave the post in processing
            logger.exception("Classifying a post crashed")
            return exc

    workers = max(1, min(settings.AI_CONCURRENCY, len(inputs)))
    try:
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ai") as pool:
            outcomes = list(pool.map(work, inputs))
    finally:
        client.close()
    return outcomes, stop.is_set()


def _ai_fail(post: Post, error: str) -> None:
    post.processing_status = ProcessingStatus.FAILED
    post.ai_error = error[:2000]
    post.ai_next_attempt_at = None


def _ai_apply(
    posts: list[Post], outcomes: list[Any], *, ids: AITaxonomy, now: datetime
) -> WorkReport:
    """Write the outcomes of claimed posts in bulk: results, failures, backoffs, releases."""
    report = WorkReport(kind=AI_CLASSIFICATION, batches=1)
    subcategories: dict[int, list[int]] = {}
    touched = timezone.now()
    with transaction.atomic():
        # The taxonomy may have been edited while the model answered.
        live_categories = set(
            Category.objects.filter(pk__in=ids.category_ids.values()).values_list("pk", flat=True)
        )
        live_subcategories = set(
            Subcategory.objects.filter(pk__in=ids.subcategory_ids.values()).values_list(
                "pk", flat=True
            )
        )
        for post, outcome in zip(posts, outcomes, strict=True):
            post.updated_at = touched
            if isinstance(outcome, Classification):
                category_id = ids.category_ids.get(outcome.category)
                sub_ids = [
                    ids.subcategory_ids[(outcome.category, name)]
                    for name in outcome.subcategories
                    if ids.subcategory_ids.get((outcome.category, name)) in live_subcategories
                ]
                if category_id in live_categories and sub_ids:
                    post.idea_concept = outcome.idea_concept
                    post.category_id = category_id
                    post.reel_style = _REEL_STYLE_BY_LABEL.get(outcome.reel_style or "")
                    post.processing_status = ProcessingStatus.COMPLETED
                    post.ai_error = ""
                    post.ai_next_attempt_at = None
                    post.ai_model = outcome.model[:100]
                    post.ai_prompt_version = outcome.prompt_version[:32]
                    post.ai_prompt_tokens = outcome.prompt_tokens
                    post.ai_completion_tokens = outcome.completion_tokens
                    post.ai_processed_at = now
                    subcategories[post.pk] = sub_ids
                    report.ok += 1
                    report.ok_objects.append(post)
                    continue
                outcome = _Released()  # its category was deleted meanwhile: ask again
            if isinstance(outcome, _Released | AINotConfigured):
                post.processing_status = ProcessingStatus.PENDING
                post.ai_attempts = max(post.ai_attempts - 1, 0)
                post.ai_next_attempt_at = getattr(outcome, "until", None)
                continue
            report.failed += 1
            if isinstance(outcome, AIInvalidAnswer):
                _ai_fail(post, str(outcome))
                post.ai_prompt_tokens = outcome.prompt_tokens
                post.ai_completion_tokens = outcome.completion_tokens
                post.ai_processed_at = now
            else:
                error = str(outcome) if isinstance(outcome, AIError) else error_text(outcome)
                if post.ai_attempts >= settings.AI_MAX_ATTEMPTS:
                    _ai_fail(
                        post, f"{error} (attempt {post.ai_attempts} of {settings.AI_MAX_ATTEMPTS})"
                    )
                    post.ai_processed_at = now
                else:
                    post.processing_status = ProcessingStatus.PENDING
                    post.ai_error = error[:2000]
                    post.ai_next_attempt_at = now + job_backoff(
                        failures=post.ai_attempts, error=outcome
                    )
            if post.processing_status == ProcessingStatus.FAILED:
                report.dead_letters.append(_ai_dead_letter(post))

        Post.objects.bulk_update(posts, _AI_FIELDS, batch_size=BATCH_SIZE)
        through = Post.subcategories.through
        through.objects.filter(post_id__in=list(subcategories)).delete()
        through.objects.bulk_create(
            [
                through(post_id=post_id, subcategory_id=sub_id)
                for post_id, sub_ids in subcategories.items()
                for sub_id in sub_ids
            ],
            ignore_conflicts=True,
            batch_size=BATCH_SIZE,
        )
    return report


def post_classify_batch(
    *,
    posts: list[Post],
    config: AIConfig,
    ids: AITaxonomy | None = None,
    now: datetime | None = None,
    deadline: float | None = None,
) -> tuple[WorkReport, bool, AINotConfigured | None]:
    """Classify claimed `posts` concurrently and write the outcomes. Returns the report,
    whether the pass must stop (rate limit, refused key, deadline) and the refusal if any."""
    now = now or timezone.now()
    ids = ids or ai_taxonomy()
    outcomes, stopped = _classify_all(
        [post_ai_input(post) for post in posts], ids.taxonomy, config, now=now, deadline=deadline
    )
    report = _ai_apply(posts, outcomes, ids=ids, now=now)
    refused = next((o for o in outcomes if isinstance(o, AINotConfigured)), None)
    return report, stopped, refused


def post_classify_pending(
    *,
    now: datetime | None = None,
    batch_size: int | None = None,
    time_budget: float | None = None,
    on_batch: Callable[[WorkReport], None] | None = None,
    config: AIConfig | None = None,
) -> WorkReport:
    """One classification pass: take back stuck posts, then claim queued posts batch by batch
    and classify them, until none is queued, `time_budget` seconds have passed or the server
    rate-limits us. Raises AINotConfigured (nothing claimed, posts stay pending) when there is
    no API key, the taxonomy is empty, or the server refuses the key or the model."""
    config = config or config_from_settings()
    if not config.configured:
        raise AINotConfigured(config.not_configured_reason)
    batch_size = batch_size or settings.AI_BATCH_SIZE
    deadline = None if time_budget is None else time.monotonic() + time_budget
    total = WorkReport(kind=AI_CLASSIFICATION)

    def record(report: WorkReport) -> None:
        total.add_counts(report)
        if on_batch is not None:
            on_batch(report)

    recovered = posts_recover_stuck_processing(now=now or timezone.now())
    if recovered.failed:
        record(recovered)
    while deadline is None or time.monotonic() < deadline:
        ids = ai_taxonomy()  # each batch sees the taxonomy's latest edits
        if ids.taxonomy.is_empty:
            raise AINotConfigured(
                "The taxonomy is empty: add categories and sub-categories in Settings."
            )
        batch_now = now or timezone.now()
        posts = posts_claim_for_classification(now=batch_now, limit=batch_size)
        if not posts:
            break
        report, stopped, refused = post_classify_batch(
            posts=posts, config=config, ids=ids, now=batch_now, deadline=deadline
        )
        record(report)
        if refused is not None:
            raise refused
        if stopped:
            break
    return total


def post_classify_now(
    *, post: Post, config: AIConfig | None = None, store: bool = True
) -> Classification:
    """Classify one post in the foreground whatever its status (`manage.py classify`); with
    `store`, write the result as the job would. Errors are raised and nothing is written."""
    if post.is_trial:
        raise DomainError("A trial reel is classified once approved.", code="trial")
    config = config or config_from_settings()
    ids = ai_taxonomy()
    result = classify(post_ai_input(post), ids.taxonomy, config)
    if store:
        post.ai_attempts += 1
        _ai_apply([post], [result], ids=ids, now=timezone.now())
    return result


def _requeue(queryset: QuerySet[Post]) -> int:
    return (
        queryset.filter(is_trial=False)
        .exclude(processing_status=ProcessingStatus.PROCESSING)
        .update(
            processing_status=ProcessingStatus.PENDING,
            ai_attempts=0,
            ai_error="",
            ai_next_attempt_at=None,
            updated_at=timezone.now(),
        )
    )


def posts_requeue_classification(*, ids: Iterable[int]) -> int:
    """Queue these posts for the AI again, due now with a clean attempt count (completed ones
    keep their labels until the new answer). Trial reels and posts being classified right
    now are left alone. Returns how many were queued; their open dead letters are resolved
    when they succeed."""
    ids = list(ids)
    return sum(
        _requeue(Post.objects.filter(pk__in=ids[start : start + BATCH_SIZE]))
        for start in range(0, len(ids), BATCH_SIZE)
    )


def posts_requeue_failed_classifications() -> int:
    """Queue every failed post for the AI again (see posts_requeue_classification)."""
    return _requeue(Post.objects.filter(processing_status=ProcessingStatus.FAILED))


def post_requeue_classification(*, post: Post) -> Post:
    """Queue one post for the AI again; DomainError says why it cannot be."""
    if post.is_trial:
        raise DomainError(
            "A trial reel is classified once approved: approve it first.", code="trial"
        )
    if not posts_requeue_classification(ids=[post.pk]):
        raise DomainError(
            "This post is being classified right now; try again in a few minutes.",
            code="processing",
        )
    post.refresh_from_db(fields=["processing_status", "ai_attempts", "ai_error"])
    post.refresh_from_db(fields=["ai_next_attempt_at", "updated_at"])
    return post


def ai_not_ready_reason(*, config: AIConfig | None = None) -> str:
    """Why the AI classifies nothing right now (no key, empty taxonomy), or "" (cheap)."""
    config = config or config_from_settings()
    if config.not_configured_reason:
        return config.not_configured_reason
    if not Subcategory.objects.exists():
        return "AI not configured: the taxonomy is empty; add categories and sub-categories."
    return ""


def ai_status(*, config: AIConfig | None = None) -> dict[str, Any]:
    """What operators see of the AI: configured or not (with the reason), the model, the
    prompt version and how many non-trial posts are in each processing status."""
    config = config or config_from_settings()
    reason = ai_not_ready_reason(config=config)
    counts = dict.fromkeys(ProcessingStatus.values, 0)
    for status, count in (
        Post.objects.filter(is_trial=False)
        .order_by()
        .values_list("processing_status")
        .annotate(n=Count("pk"))
    ):
        counts[status] = count
    return {
        "configured": not reason,
        "reason": reason,
        "model": config.model,
        "base_url": config.base_url or OFFICIAL_BASE_URL,
        "prompt_version": PROMPT_VERSION,
        "counts": counts,
    }


# --- Trial reels: approve / reject ------------------------------------------------------------


TRIAL_AUDIT_FIELDS = ("is_trial", "trial_status", "trial_note")


def _trial_decide(*, post: Post, user, note: str, approve: bool) -> Post:
    with transaction.atomic():
        locked = Post.objects.select_for_update().get(pk=post.pk)
        before = audit_values(locked, TRIAL_AUDIT_FIELDS)
        if not locked.is_trial:
            raise DomainError(
                "This post is not a trial reel (an approved trial is a regular post).",
                code="not_a_trial",
            )
        now = timezone.now()
        locked.trial_decided_by = user
        locked.trial_decided_at = now
        locked.trial_note = note
        locked.updated_at = now
        fields = ["trial_status", "trial_decided_by", "trial_decided_at", "trial_note"]
        if approve:
            # No longer a trial: the classify_posts job picks it up (specs/ai.md).
            locked.is_trial = False
            locked.trial_status = TrialStatus.APPROVED
            locked.processing_status = ProcessingStatus.PENDING
            locked.ai_attempts = 0
            locked.ai_error = ""
            locked.ai_next_attempt_at = None
            fields += ["is_trial", "processing_status", "ai_attempts", "ai_error"]
            fields += ["ai_next_attempt_at"]
        else:
            locked.trial_status = TrialStatus.REJECTED
        locked.save(update_fields=[*fields, "updated_at"])
        after = audit_values(locked, TRIAL_AUDIT_FIELDS)
        action = "trial_approve" if approve else "trial_reject"
        audit_record(actor=user, obj=locked, before=before, after=after, action=action)
    return locked


def post_approve_trial(*, post: Post, user, note: str = "") -> Post:
    """Approve a trial reel: it becomes a regular post and is queued for the AI."""
    return _trial_decide(post=post, user=user, note=note, approve=True)


def post_reject_trial(*, post: Post, user, note: str = "") -> Post:
    """Reject a trial reel: it stays a trial (its stats are kept), never sent to the AI."""
    return _trial_decide(post=post, user=user, note=note, approve=False)


def _trials_decide(*, posts: QuerySet[Post], user, note: str, approve: bool) -> int:
    """One UPDATE for many trial reels, with the rules of _trial_decide; posts that are not
    trial reels (any more) are left alone. Returns how many were decided."""
    now = timezone.now()
    fields: dict[str, Any] = {
        "trial_decided_by": user if getattr(user, "pk", None) else None,
        "trial_decided_at": now,
        "trial_note": note,
        "updated_at": now,
    }
    if approve:
        fields.update(
            is_trial=False,
            trial_status=TrialStatus.APPROVED,
            processing_status=ProcessingStatus.PENDING,
            ai_attempts=0,
            ai_error="",
            ai_next_attempt_at=None,
        )
    else:
        fields["trial_status"] = TrialStatus.REJECTED
    ids = posts.order_by().values("pk")
    with transaction.atomic():
        decided = Post.objects.select_for_update().filter(pk__in=ids, is_trial=True)
        rows = list(decided.values_list("pk", "url", "trial_status", "trial_note"))
        count = Post.objects.filter(pk__in=[row[0] for row in rows]).update(**fields)
        to = fields.get("trial_status")
        audit_record_many(
            actor=user,
            model=Post,
            rows=[
                (
                    pk,
                    url,
                    {"is_trial": [True, not approve], "trial_status": [was, to]}
                    | ({"trial_note": [old_note, note]} if old_note != note else {}),
                )
                for pk, url, was, old_note in rows
            ],
            action="trial_approve" if approve else "trial_reject",
        )
    return count


def posts_approve_trials(*, posts: QuerySet[Post], user, note: str = "") -> int:
    """Approve many trial reels at once (see post_approve_trial): they become regular posts,
    queued for the AI; every other field is kept."""
    return _trials_decide(posts=posts, user=user, note=note, approve=True)


def posts_reject_trials(*, posts: QuerySet[Post], user, note: str = "") -> int:
    """Reject many trial reels at once (see post_reject_trial): they stay trials, with their
    stats and history."""
    return _trials_decide(posts=posts, user=user, note=note, approve=False)
