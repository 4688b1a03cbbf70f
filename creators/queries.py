"""Reads on accounts: which accounts the profile refresh and new-post detection look at."""

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet

from core.bulk import BATCH_SIZE
from posts.models import Post

from .models import Account


def accounts_due_for_stats(*, now: datetime) -> QuerySet[Account]:
    """Tracked accounts whose profile refresh is due (never done, or `next_stats_at` passed).
    Demo accounts are created never due (operations.demo.NEVER)."""
    return Account.objects.filter(
        Q(next_stats_at__isnull=True) | Q(next_stats_at__lte=now),
        tracking_enabled=True,
    )


def accounts_due_for_detection(*, now: datetime) -> QuerySet[Account]:
    """Tracked accounts to look for new posts on: not looked at for DETECT_MIN_INTERVAL_MINUTES
    (a duplicate delivery of the job does not ask again), and not backing off after a failure
    (demo accounts are created never due: operations.demo.NEVER)."""
    recent = now - timedelta(minutes=settings.DETECT_MIN_INTERVAL_MINUTES)
    return Account.objects.filter(
        Q(last_tracked_at__isnull=True) | Q(last_tracked_at__lte=recent),
        Q(next_detect_at__isnull=True) | Q(next_detect_at__lte=now),
        tracking_enabled=True,
    )


def accounts_disabled(*, limit: int = 50) -> QuerySet[Account]:
    """Accounts no longer tracked, with why, latest change first (operators' board)."""
    return Account.objects.filter(tracking_enabled=False).order_by("-updated_at", "-id")[:limit]


def account_ids_touched_since(since: datetime) -> list[int]:
    """Accounts whose profile or any of whose posts was refreshed at or after `since`: the
    ones whose metrics a refresh pass changed."""
    refreshed_posts = Post.objects.filter(last_updated__gte=since, account__isnull=False)
    return list(
        Account.objects.filter(
            Q(last_stats_update__gte=since) | Q(pk__in=refreshed_posts.values("account_id"))
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def accounts_by_key(keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Account]:
    """The accounts of these (platform, username) keys that exist, by key; batched."""
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


def accounts_by_username(authors: Iterable[Any]) -> dict[tuple[str, str], Account]:
    """The tracked accounts of these authors (anything with .platform and .username, and
    optionally .external_id: a YouTube channel id, which the YouTube API gives instead of a
    handle), by (platform, username) and (platform, external id): at most two queries per
    platform. posts finds a post's account through it (registered in CreatorsConfig.ready as
    posts.hooks.accounts_by_username)."""
    usernames: dict[str, set[str]] = {}
    external_ids: dict[str, set[str]] = {}
    for author in authors:
        if author.username:
            usernames.setdefault(author.platform, set()).add(author.username)
        if getattr(author, "external_id", None):
            external_ids.setdefault(author.platform, set()).add(author.external_id)
    found = {}
    for platform, ids in external_ids.items():
        accounts = Account.objects.filter(platform=platform, external_id__in=ids)
        for account in accounts.only("id", "platform", "username", "external_id"):
            found[(platform, account.external_id)] = account
    for platform in usernames.keys() | external_ids.keys():
        # An account added by its /channel/UC… URL has the channel id as its username.
        names = usernames.get(platform, set()) | external_ids.get(platform, set())
        accounts = Account.objects.filter(platform=platform, username__in=names)
        for account in accounts.only("id", "platform", "username", "external_id"):
            found[(platform, account.username)] = account
    return found
