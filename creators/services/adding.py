"""Adding accounts by profile URL (one or many), editing their business fields, turning
tracking on or off."""

from collections.abc import Iterable, Sequence
from functools import partial
from typing import Any

from django.db import transaction
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
from platforms.urls import KIND_PROFILE, ParsedURL, UnsupportedURL, parse_url
from posts.models import Post
from settings_app.access import accounts_visible_to

from ..models import Account
from ..queries import accounts_by_key

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
