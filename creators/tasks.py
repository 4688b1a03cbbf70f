"""django-q2 entry points for accounts: ids in, a service call. The periodic jobs live in
operations.jobs (they record JobRuns)."""

from django.utils import timezone

from .models import Account
from .services import account_refresh_batch, rows_claim


def refresh_accounts(account_ids: list[int]) -> str:
    """Refresh these accounts' profiles now (enqueue with transaction.on_commit after adding
    them); accounts another worker holds are skipped."""
    now = timezone.now()
    ids = rows_claim(
        Account.objects.filter(pk__in=account_ids, tracking_enabled=True),
        claim_field="stats_claimed_until",
        now=now,
        limit=len(account_ids),
        order_by=["id"],
    )
    accounts = list(Account.objects.filter(pk__in=ids).order_by("pk"))
    report = account_refresh_batch(accounts=accounts, now=now)
    return f"{report.ok} ok, {report.failed} failed"
