"""django-q2 entry points for accounts: ids in, a service call. The periodic jobs live in
operations.jobs (they record JobRuns)."""

from .services.tracking import account_refresh_ids


def refresh_accounts(account_ids: list[int]) -> str:
    """Refresh these accounts' profiles now; queued on commit by creators.services.adding for the
    accounts it created (accounts_refresh_on_commit). Accounts another worker holds are
    skipped."""
    report = account_refresh_ids(ids=account_ids)
    return f"{report.ok} ok, {report.failed} failed"
