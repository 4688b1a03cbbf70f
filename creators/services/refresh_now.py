"""Refresh now: a person asks for an account's profile at once instead of the next daily pass."""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied

from settings_app.access import accounts_visible_to

from ..models import Account
from .adding import accounts_refresh_on_commit

# At most this many accounts per request (see posts.services.refresh_now).
REFRESH_NOW_MAX = 2000


def accounts_refresh_now(*, ids: Iterable[int], actor=None) -> int:
    """Queue a profile refresh of these accounts, due or not, as soon as a worker is free
    (enqueued when the transaction commits). Only tracked accounts `actor` may edit are queued
    (the change permission, on the accounts their role shows them; None: a job or script);
    accounts whose tracking is off are left out. Returns how many were queued."""
    accounts = Account.objects.filter(pk__in=list(ids), tracking_enabled=True)
    if actor is not None:
        if not actor.has_perm("creators.change_account"):
            raise PermissionDenied("Your role may not refresh accounts.")
        accounts = accounts_visible_to(actor, accounts)
    queued = list(accounts.order_by("pk").values_list("pk", flat=True)[:REFRESH_NOW_MAX])
    accounts_refresh_on_commit(queued)
    return len(queued)
