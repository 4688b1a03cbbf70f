"""Writes on accounts: adding by profile URL (one or many), editing business fields."""

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django_q.tasks import async_task

from core.bulk import (
    BATCH_SIZE,
    CREATED,
    EXISTS,
    INVALID,
    AddResult,
    already_tracked_error,
    hide_rows_not_visible,
)
from core.edits import audited_update
from core.errors import DomainError
from core.jobs import (
    WorkReport,
    error_text,
    item_failure,
    job_backoff,
    objects_claim,
    objects_claim_ids,
    work_pass,
)
from platforms.providers import chain
from platforms.providers.base import NotFound, Private, ProfileRef, ProfileStats, ProviderError
from platforms.urls import KIND_PROFILE, ParsedURL, UnsupportedURL, parse_url
from posts.models import Post
from posts.services.detection import post_bulk_add_detected
from settings_app.access import accounts_visible_to

from .models import Account, AccountSnapshot
from .queries import accounts_by_key, accounts_due_for_detection, accounts_due_for_stats

BUSINESS_FIELDS = (
    "client",
    "editor",
    "type",
    "finance_item",
    "started_date",
    "tracking_enabled",
    "extra",
)
# The per-id refresh of new accounts: one task per this many ids.
REFRESH_TASK_IDS = 500


def parse_profile_url(url: str) -> ParsedURL:
    """Parse a pasted profile URL; raise DomainError with the reason."""
    try:
        parsed = parse_url(url)
    except UnsupportedURL as exc:
        raise DomainError(str(exc), code="unsupported_url") from exc
    if parsed.kind != KIND_PROFILE:
        raise DomainError(
            "This is a post URL, not a profile: add it as a post, or paste the profile URL.",
            code="not_a_profile",
        )
    return parsed


def _profile_keys(
    urls: Sequence[str], results: list[AddResult]
) -> tuple[dict[tuple[str, str], list[int]], dict[tuple[str, str], ParsedURL]]:
    """The distinct accounts of `urls` by (platform, username): the indexes of the URLs naming
    each, and its first parsed URL. A bad URL's error goes on its result."""
    wanted: dict[tuple[str, str], list[int]] = {}
    parsed_by_key: dict[tuple[str, str], ParsedURL] = {}
    for index, url in enumerate(urls):
        try:
            parsed = parse_profile_url(url)
        except DomainError as exc:
            results[index].error = exc.message
            continue
        key = (parsed.platform, parsed.username)
        wanted.setdefault(key, []).append(index)
        parsed_by_key.setdefault(key, parsed)
    return wanted, parsed_by_key


def _accounts_store(new: list[Account], *, boards: list) -> dict[tuple[str, str], Account]:
    """Create `new` accounts, with their boards and their authors' posts; return those that are
    ours."""
    Account.objects.bulk_create(new, ignore_conflicts=True, batch_size=BATCH_SIZE)
    made_at = {(a.platform, a.username): a.created_at for a in new}
    # Where a concurrent request won, the stored row is theirs: it carries their moment.
    stored = {
        key: account
        for key, account in accounts_by_key(made_at).items()
        if account.created_at == made_at[key]
    }
    if stored and boards:
        through = Account.boards.through
        through.objects.bulk_create(
            [through(account_id=a.pk, board_id=b.pk) for a in stored.values() for b in boards],
            ignore_conflicts=True,
            batch_size=BATCH_SIZE,
        )
    if stored:
        _link_posts_to_accounts(stored.values())
        accounts_refresh_on_commit([a.pk for a in stored.values()])
    return stored


def accounts_refresh_on_commit(ids: Sequence[int]) -> None:
    """After the transaction commits, queue the first profile refresh of these new accounts
    (creators.tasks.refresh_accounts), REFRESH_TASK_IDS ids per task; the cluster's timeout,
    retry and max_attempts apply (settings.Q_CLUSTER), and the refresh claims its accounts."""
    ids = sorted(ids)
    for start in range(0, len(ids), REFRESH_TASK_IDS):
        transaction.on_commit(
            partial(
                async_task,
                "creators.tasks.refresh_accounts",
                ids[start : start + REFRESH_TASK_IDS],
                task_name="refresh_accounts (added)",
            )
        )


def account_bulk_add(
    *, urls: Sequence[str], boards: Iterable = (), added_by=None, **business: Any
) -> list[AddResult]:
    """Add many accounts by profile URL; one result per URL, in order; idempotent.

    The platform and normalized username are the key. Posts already tracked for that author
    are linked to the new account. An account `added_by` (the user asking; not stored) may not
    see is reported as existing without the account itself. The accounts created get their
    first profile refresh queued once the transaction commits.
    """
    unknown = set(business) - set(BUSINESS_FIELDS)
    if unknown:
        raise TypeError(f"Unknown account fields: {', '.join(sorted(unknown))}")
    results = [AddResult(url=url) for url in urls]
    wanted, parsed_by_key = _profile_keys(urls, results)
    with transaction.atomic():
        existing = accounts_by_key(wanted)
        new = [
            Account(
                url=parsed.canonical_url,
                platform=parsed.platform,
                username=parsed.username,
                **{"extra": {}, **business},
            )
            for key, parsed in parsed_by_key.items()
            if key not in existing
        ]
        stored = _accounts_store(new, boards=list(boards))

    for key, indexes in wanted.items():
        for position, index in enumerate(indexes):
            created = key in stored and position == 0
            results[index].status = CREATED if created else EXISTS
            # Neither found before nor ours: a concurrent request added it.
            results[index].obj = (
                existing.get(key) or stored.get(key) or accounts_by_key({key}).get(key)
            )
    if added_by is not None:  # None: a job or a script, which sees every account
        hide_rows_not_visible(results, accounts_visible_to(added_by, Account.objects.all()))
    return results


def _link_posts_to_accounts(accounts: Iterable[Account]) -> None:
    # One UPDATE per account added: bounded by the batch the user pasted, not by the data.
    for account in accounts:
        Post.objects.filter(
            platform=account.platform, username=account.username, account__isnull=True
        ).update(account=account)


def account_add(*, url: str, **kwargs: Any) -> tuple[Account, bool]:
    """Add one account by profile URL; returns (account, created). Raises ConflictError for
    an account already tracked that `added_by` may not see."""
    (result,) = account_bulk_add(urls=[url], **kwargs)
    if result.status == INVALID:
        raise DomainError(result.error, code="invalid_url", fields={"url": [result.error]})
    if result.status == EXISTS and result.obj is None:
        raise already_tracked_error(Account)
    return result.obj, result.status == CREATED


def account_update(
    *, account: Account, boards: Iterable | None = None, actor=None, **fields: Any
) -> Account:
    """Edit an account's business fields; validates before saving. The changes are recorded in
    the audit trail, with `actor`."""
    return audited_update(obj=account, boards=boards, actor=actor, fields=fields)


def account_set_tracking(*, accounts_qs, enabled: bool, reason: str = "") -> int:
    """Turn tracking on or off for many accounts in one UPDATE; returns how many changed.

    Turning it on clears the reason; turning it off records why (operators see it). Accounts
    already in the wanted state keep theirs, e.g. a job's "private account" reason.
    """
    reason = reason.strip()
    if not enabled and not reason:
        raise DomainError(
            "Say why tracking is turned off.", fields={"disabled_reason": ["Required."]}
        )
    return Account.objects.filter(
        pk__in=accounts_qs.values("pk"), tracking_enabled=not enabled
    ).update(
        tracking_enabled=enabled,
        disabled_reason="" if enabled else reason[:300],
        updated_at=timezone.now(),
    )


# --- Profile refresh and new-post detection (jobs) --------------------------------------------
# Called by operations.jobs, which records the reports (JobRun, dead letters).

ACCOUNT_REFRESH = "account_refresh"  # dead-letter kinds (operations.models.FailedItemKind)
NEW_POST_DETECTION = "new_post_detection"
PRIVATE_REASON = "Private account"
NOT_FOUND_REASON = "Account not found (deleted or renamed)"

_PROFILE_TEXT_FIELDS = {  # ours -> longest value stored
    "external_id": 100,
    "full_name": 200,
    "biography": None,
    "profile_pic_url": 2000,
}
_STATS_FIELDS = (
    *_PROFILE_TEXT_FIELDS,
    "is_verified",
    "is_private",
    "followers",
    "following",
    "total_media_count",
    "last_stats_update",
    "stats_failures",
    "next_stats_at",
    "stats_claimed_until",
    "updated_at",
)


def _profile_ref(account: Account) -> ProfileRef:
    return ProfileRef(
        platform=account.platform,
        username=account.username,
        url=account.url,
        external_id=account.external_id or None,
    )


def account_stats_apply(account: Account, stats: ProfileStats, *, now: datetime) -> AccountSnapshot:
    """Copy a provider's profile answer onto `account` (in memory); return the snapshot to write.

    Counters are taken as answered (`None`: not exposed); profile text only when known.
    """
    for name, longest in _PROFILE_TEXT_FIELDS.items():
        value = getattr(stats, name)
        if value is None or value == "" or (longest and len(value) > longest):
            continue
        setattr(account, name, value)
    for name in ("is_verified", "is_private"):
        if getattr(stats, name) is not None:
            setattr(account, name, getattr(stats, name))
    account.followers = stats.followers
    account.following = stats.following
    account.total_media_count = stats.media_count
    account.last_stats_update = now
    account.stats_failures = 0
    account.stats_claimed_until = None
    account.next_stats_at = now + timedelta(hours=settings.ACCOUNT_REFRESH_HOURS)
    return AccountSnapshot(
        account=account,
        captured_at=now,
        followers=stats.followers,
        following=stats.following,
        media_count=stats.media_count,
        source=(stats.source or "")[:32],
    )


def _disable_reason(error: ProviderError | None) -> str | None:
    if isinstance(error, Private):
        return PRIVATE_REASON
    if isinstance(error, NotFound):
        return NOT_FOUND_REASON
    return None


def _accounts_disable(disabled: dict[str, list[Account]]) -> None:
    """Stop tracking accounts the platform says are private or gone; their history stays.
    Conditional UPDATEs: an account turned off meanwhile keeps its own reason."""
    for reason, accounts in disabled.items():
        changes = {
            "tracking_enabled": False,
            "disabled_reason": reason,
            "updated_at": timezone.now(),
        }
        if reason == PRIVATE_REASON:
            changes["is_private"] = True
        Account.objects.filter(pk__in=[a.pk for a in accounts], tracking_enabled=True).update(
            **changes
        )


def _record_failure(
    report: WorkReport, account: Account, error: ProviderError, *, now: datetime, prefix: str
) -> None:
    failures = getattr(account, f"{prefix}_failures") + 1
    setattr(account, f"{prefix}_failures", failures)
    setattr(account, f"next_{prefix}_at", now + job_backoff(failures=failures, error=error))
    report.failed += 1
    if failures >= settings.REFRESH_MAX_FAILURES:
        report.dead_letters.append(
            item_failure(account, error=error_text(error), attempts=failures)
        )


def account_refresh_batch(*, accounts: list[Account], now: datetime | None = None) -> WorkReport:
    """Fetch the profiles of claimed `accounts` and write them: snapshot and profile fields;
    a private or vanished account stops being tracked; failures back off; claims released."""
    now = now or timezone.now()
    report = WorkReport(kind=ACCOUNT_REFRESH, batches=1)
    snapshots, disabled = [], {}
    for account in accounts:
        try:
            stats = chain.fetch_profile(_profile_ref(account))  # network
        except ProviderError as error:
            reason = _disable_reason(error)
            if reason:
                disabled.setdefault(reason, []).append(account)
                report.ok += 1
                report.ok_objects.append(account)
            else:
                _record_failure(report, account, error, now=now, prefix="stats")
        else:
            snapshots.append(account_stats_apply(account, stats, now=now))
            if stats.is_private:
                disabled.setdefault(PRIVATE_REASON, []).append(account)
            report.ok += 1
            report.ok_objects.append(account)
        account.stats_claimed_until = None
        account.updated_at = timezone.now()
    with transaction.atomic():
        # A rerun at the same captured_at writes no second snapshot.
        AccountSnapshot.objects.bulk_create(snapshots, ignore_conflicts=True, batch_size=BATCH_SIZE)
        Account.objects.bulk_update(accounts, _STATS_FIELDS, batch_size=BATCH_SIZE)
        _accounts_disable(disabled)
    return report


def account_detect_batch(*, accounts: list[Account], now: datetime | None = None) -> WorkReport:
    """Look for new posts on claimed `accounts`: create those not tracked yet (see
    `posts.services.detection.post_bulk_add_detected`), set `last_tracked_at`; a private or vanished
    account stops being tracked; failures back off; claims released."""
    now = now or timezone.now()
    report = WorkReport(kind=NEW_POST_DETECTION, batches=1)
    disabled = {}
    for account in accounts:
        try:
            items = chain.list_recent_posts(
                _profile_ref(account), settings.DETECT_RECENT_POSTS_LIMIT
            )  # network
        except ProviderError as error:
            reason = _disable_reason(error)
            if reason:
                disabled.setdefault(reason, []).append(account)
                report.ok += 1
                report.ok_objects.append(account)
            else:
                _record_failure(report, account, error, now=now, prefix="detect")
        else:
            created = post_bulk_add_detected(account=account, items=items, now=now)
            report.created += len(created)
            account.last_tracked_at = now
            account.detect_failures = 0
            account.next_detect_at = None
            report.ok += 1
            report.ok_objects.append(account)
        account.detect_claimed_until = None
        account.updated_at = timezone.now()
    with transaction.atomic():
        Account.objects.bulk_update(
            accounts,
            [
                "last_tracked_at",
                "detect_failures",
                "next_detect_at",
                "detect_claimed_until",
                "updated_at",
            ],
            batch_size=BATCH_SIZE,
        )
        _accounts_disable(disabled)
    return report


# Each account pass: what is due, the claim field, the claim order, the batch's work.
_PASSES: dict[str, tuple[Callable, str, Any, Callable[..., WorkReport]]] = {
    ACCOUNT_REFRESH: (
        accounts_due_for_stats,
        "stats_claimed_until",
        F("next_stats_at").asc(nulls_first=True),
        account_refresh_batch,
    ),
    NEW_POST_DETECTION: (
        accounts_due_for_detection,
        "detect_claimed_until",
        F("last_tracked_at").asc(nulls_first=True),
        account_detect_batch,
    ),
}


def _accounts_pass(
    kind: str,
    *,
    now: datetime | None,
    batch_size: int | None,
    time_budget: float | None,
    on_batch: Callable[[WorkReport], None] | None,
) -> WorkReport:
    due, claim_field, order, process = _PASSES[kind]
    return work_pass(
        kind=kind,
        claim=lambda at, limit: objects_claim(
            due(now=at), claim_field=claim_field, now=at, limit=limit, order_by=[order, "id"]
        ),
        process=lambda accounts, now: process(accounts=accounts, now=now),
        now=now,
        batch_size=batch_size or settings.ACCOUNT_REFRESH_BATCH_SIZE,
        time_budget=time_budget,
        on_batch=on_batch,
    )


def account_refresh_due(
    *,
    now: datetime | None = None,
    batch_size: int | None = None,
    time_budget: float | None = None,
    on_batch: Callable[[WorkReport], None] | None = None,
) -> WorkReport:
    """One profile-refresh pass over the tracked accounts that are due (daily per account),
    batch by batch until none is left or `time_budget` seconds have passed."""
    return _accounts_pass(
        ACCOUNT_REFRESH, now=now, batch_size=batch_size, time_budget=time_budget, on_batch=on_batch
    )


def account_detect_new_posts_due(
    *,
    now: datetime | None = None,
    batch_size: int | None = None,
    time_budget: float | None = None,
    on_batch: Callable[[WorkReport], None] | None = None,
) -> WorkReport:
    """One new-post detection pass over the tracked accounts, batch by batch."""
    return _accounts_pass(
        NEW_POST_DETECTION,
        now=now,
        batch_size=batch_size,
        time_budget=time_budget,
        on_batch=on_batch,
    )


def account_refresh_ids(*, ids: Iterable[int], now: datetime | None = None) -> WorkReport:
    """Refresh these tracked accounts' profiles now, due or not (e.g. just added); accounts
    another worker holds are skipped."""
    now = now or timezone.now()
    accounts = objects_claim_ids(
        Account.objects.filter(tracking_enabled=True),
        ids=ids,
        claim_field="stats_claimed_until",
        now=now,
    )
    return account_refresh_batch(accounts=accounts, now=now)


def accounts_retry_soon(*, ids: Iterable[int], work: str) -> int:
    """Make accounts due on the next pass of `work` (ACCOUNT_REFRESH or NEW_POST_DETECTION),
    with a clean failure count (an operator replays dead letters)."""
    prefix = {ACCOUNT_REFRESH: "stats", NEW_POST_DETECTION: "detect"}[work]
    return Account.objects.filter(pk__in=list(ids)).update(
        **{f"next_{prefix}_at": None, f"{prefix}_failures": 0}, updated_at=timezone.now()
    )
