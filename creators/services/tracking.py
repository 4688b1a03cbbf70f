"""Tracking accounts: the profile refresh and new-post detection (the jobs' work, called by
operations.jobs, which records the reports: JobRun, dead letters)."""

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from core.bulk import (
    BATCH_SIZE,
)
from core.jobs import (
    WorkReport,
    error_text,
    job_backoff,
    objects_claim,
    objects_claim_ids,
    work_pass,
)
from platforms.providers import chain
from platforms.providers.base import NotFound, Private, ProfileRef, ProfileStats, ProviderError
from posts.hooks import account_tokens
from posts.services.detection import post_bulk_add_detected

from ..models import Account, AccountSnapshot
from ..queries import accounts_due_for_detection, accounts_due_for_stats

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
    "stats_error",
    "stats_error_at",
    "next_stats_at",
    "stats_claimed_until",
    "updated_at",
)


def _profile_ref(account: Account, tokens: dict | None = None) -> ProfileRef:
    return ProfileRef(
        platform=account.platform,
        username=account.username,
        url=account.url,
        external_id=account.external_id or None,
        # An own (connected) account is read with its own token.
        token=(tokens or {}).get(account.pk),
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
    account.stats_error = ""
    account.stats_error_at = None
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


def _provider_failed(
    report: WorkReport,
    account: Account,
    error: ProviderError,
    disabled: dict[str, list[Account]],
    *,
    now: datetime,
    prefix: str,
) -> None:
    """A provider error on `account`: a private or vanished account is settled and goes into
    `disabled` (by reason); any other error backs off (`<prefix>_failures`, `next_<prefix>_at`)
    and, past the limit, is a dead letter."""
    reason = _disable_reason(error)
    if reason:
        disabled.setdefault(reason, []).append(account)
        report.item_ok(account)
        return
    failures = getattr(account, f"{prefix}_failures") + 1
    setattr(account, f"{prefix}_failures", failures)
    setattr(account, f"next_{prefix}_at", now + job_backoff(failures=failures, error=error))
    # Visible on the account from its first failure (admin page, API), not only as a dead letter.
    setattr(account, f"{prefix}_error", error_text(error))
    setattr(account, f"{prefix}_error_at", now)
    report.item_failed(account, error=error_text(error), attempts=failures)


def account_refresh_batch(*, accounts: list[Account], now: datetime | None = None) -> WorkReport:
    """Fetch the profiles of claimed `accounts` and write them: snapshot and profile fields;
    a private or vanished account stops being tracked; failures back off; claims released."""
    now = now or timezone.now()
    report = WorkReport(kind=ACCOUNT_REFRESH, batches=1)
    snapshots, disabled = [], {}
    tokens = account_tokens([account.pk for account in accounts])  # own accounts
    for account in accounts:
        try:
            stats = chain.fetch_profile(_profile_ref(account, tokens))  # network
        except ProviderError as error:
            _provider_failed(report, account, error, disabled, now=now, prefix="stats")
        else:
            snapshots.append(account_stats_apply(account, stats, now=now))
            if stats.is_private:
                disabled.setdefault(PRIVATE_REASON, []).append(account)
            report.item_ok(account)
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
    tokens = account_tokens([account.pk for account in accounts])  # own accounts
    for account in accounts:
        try:
            items = chain.list_recent_posts(
                _profile_ref(account, tokens), settings.DETECT_RECENT_POSTS_LIMIT
            )  # network
        except ProviderError as error:
            _provider_failed(report, account, error, disabled, now=now, prefix="detect")
        else:
            created = post_bulk_add_detected(account=account, items=items, now=now)
            report.created += len(created)
            account.last_tracked_at = now
            account.detect_failures = 0
            account.detect_error = ""
            account.detect_error_at = None
            account.next_detect_at = None
            report.item_ok(account)
        account.detect_claimed_until = None
        account.updated_at = timezone.now()
    with transaction.atomic():
        Account.objects.bulk_update(
            accounts,
            [
                "last_tracked_at",
                "detect_failures",
                "detect_error",
                "detect_error_at",
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
    # Every batch stamps its accounts' updated_at, done or failed: an account stamped since the
    # pass began was visited, and is not claimed again even when it is due again at once (a
    # zero DETECT_MIN_INTERVAL_MINUTES would otherwise make the pass go round until the rate
    # limit runs out).
    started = timezone.now()
    return work_pass(
        kind=kind,
        claim=lambda at, limit: objects_claim(
            due(now=at).filter(updated_at__lt=started),
            claim_field=claim_field,
            now=at,
            limit=limit,
            order_by=[order, "id"],
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
