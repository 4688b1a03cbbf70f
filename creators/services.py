"""Writes on accounts: adding by profile URL (one or many), editing business fields."""

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone

from core.bulk import BATCH_SIZE, CREATED, EXISTS, INVALID, AddResult
from core.errors import DomainError
from platforms.urls import KIND_PROFILE, ParsedURL, UnsupportedURL, parse_url
from posts.models import Post

from .models import Account

BUSINESS_FIELDS = (
    "client",
    "editor",
    "type",
    "finance_item",
    "started_date",
    "tracking_enabled",
    "extra",
)


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


def account_bulk_add(
    *, urls: Sequence[str], boards: Iterable = (), **business: Any
) -> list[AddResult]:
    """Add many accounts by profile URL; one result per URL, in order; idempotent.

    The platform and normalized username are the key. Posts already tracked for that author
    are linked to the new account.
    """
    unknown = set(business) - set(BUSINESS_FIELDS)
    if unknown:
        raise TypeError(f"Unknown account fields: {', '.join(sorted(unknown))}")
    boards = list(boards)
    results = [AddResult(url=url) for url in urls]
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

    def load(keys) -> dict[tuple[str, str], Account]:
        found = {}
        by_platform: dict[str, list[str]] = {}
        for platform, username in keys:
            by_platform.setdefault(platform, []).append(username)
        for platform, names in by_platform.items():
            for start in range(0, len(names), BATCH_SIZE):
                chunk = names[start : start + BATCH_SIZE]
                for account in Account.objects.filter(platform=platform, username__in=chunk):
                    found[(platform, account.username)] = account
        return found

    with transaction.atomic():
        existing = load(wanted)
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
        Account.objects.bulk_create(new, ignore_conflicts=True, batch_size=BATCH_SIZE)
        stored = load({(a.platform, a.username) for a in new})
        if stored:
            if boards:
                through = Account.boards.through
                through.objects.bulk_create(
                    [
                        through(account_id=a.pk, board_id=b.pk)
                        for a in stored.values()
                        for b in boards
                    ],
                    ignore_conflicts=True,
                    batch_size=BATCH_SIZE,
                )
            _link_posts_to_accounts(stored.values())

    for key, indexes in wanted.items():
        for position, index in enumerate(indexes):
            created = key not in existing and position == 0
            results[index].status = CREATED if created else EXISTS
            results[index].obj = existing.get(key) or stored.get(key)
    return results


def _link_posts_to_accounts(accounts: Iterable[Account]) -> None:
    # One UPDATE per account added: bounded by the batch the user pasted, not by the data.
    for account in accounts:
        Post.objects.filter(
            platform=account.platform, username=account.username, account__isnull=True
        ).update(account=account)


def account_add(*, url: str, **kwargs: Any) -> tuple[Account, bool]:
    """Add one account by profile URL; returns (account, created)."""
    (result,) = account_bulk_add(urls=[url], **kwargs)
    if result.status == INVALID:
        raise DomainError(result.error, code="invalid_url", fields={"url": [result.error]})
    return result.obj, result.status == CREATED


def account_update(*, account: Account, boards: Iterable | None = None, **fields: Any) -> Account:
    """Edit an account's business fields; validates before saving."""
    for name, value in fields.items():
        setattr(account, name, value)
    with transaction.atomic():
        if fields:
            account.full_clean(validate_unique=False)
            account.save(update_fields=[*fields, "updated_at"])
        if boards is not None:
            account.boards.set(boards)
    return account


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
