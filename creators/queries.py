"""Reads on accounts: which accounts the profile refresh and new-post detection look at."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q, QuerySet

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


def accounts_disabled() -> QuerySet[Account]:
    """Accounts no longer tracked, with the reason (operators' board)."""
    return Account.objects.filter(tracking_enabled=False).order_by("-updated_at", "-id")


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
