"""Snapshot retention of the accounts' profile history (see posts.services.retention)."""

from __future__ import annotations

from datetime import datetime

from core.jobs import WorkReport
from posts.services.retention import THIN_BATCH_IDS, OnBatch, snapshots_thin

from ..models import AccountSnapshot


def account_snapshots_thin(
    *,
    now: datetime | None = None,
    batch_ids: int = THIN_BATCH_IDS,
    time_budget: float | None = None,
    on_batch: OnBatch = None,
) -> WorkReport:
    """Thin the accounts' snapshots older than SNAPSHOT_FULL_DAYS to one per account and local
    day (the day's last); returns the counts (`ok`: snapshots deleted)."""
    return snapshots_thin(
        AccountSnapshot,
        owner="account_id",
        kind="account_snapshots_thinned",
        now=now,
        batch_ids=batch_ids,
        time_budget=time_budget,
        on_batch=on_batch,
    )
