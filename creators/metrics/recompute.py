"""`account_metrics_recompute`: every figure of the accounts, by the ORM path or the PostgreSQL
statements (creators.metrics.sql)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from posts.metrics import engagement_rate
from posts.models import Post

from ..models import Account
from .definitions import (
    BATCH_SIZE,
    SQL_WORKERS,
    Method,
    Moments,
    account_figures,
    post_engagement_rate,
)
from .sql import recompute_sql


def account_metrics_recompute(
    *,
    account_ids: Iterable[int] | None = None,
    now: datetime | None = None,
    method: Method = "auto",
    workers: int | None = None,
) -> int:
    """Recompute every figure of the given accounts (all when `None`) and the engagement rate
    of their posts, as of `now`; set `metrics_computed_at`. Returns the number of accounts.

    `method`: "sql" is the PostgreSQL statements, "orm" the portable path; "auto" picks the
    first on PostgreSQL. Each statement commits on its own (no long lock on every account).
    `workers`: connections sharing a full recompute on PostgreSQL (default `SQL_WORKERS`;
    always 1 inside a transaction, whose uncommitted rows other connections cannot see).
    """
    now = now or timezone.now()
    ids = None if account_ids is None else sorted({int(pk) for pk in account_ids})
    if ids == []:
        return 0
    if method == "auto":
        method = "sql" if connection.vendor == "postgresql" else "orm"
    if method == "sql":
        if connection.vendor != "postgresql":
            raise ValueError("The SQL path needs PostgreSQL; use method='orm'.")
        if workers is None:
            workers = SQL_WORKERS
        if connection.in_atomic_block:
            workers = 1
        return recompute_sql(ids, Moments.at(now), workers=workers)
    return _recompute_orm(ids, Moments.at(now))


def _id_batches(ids: list[int] | None) -> Iterable[list[int]]:
    if ids is not None:
        for start in range(0, len(ids), BATCH_SIZE):
            yield ids[start : start + BATCH_SIZE]
        return
    last = 0
    while True:  # keyset pages of ids: never all accounts in memory
        batch = list(
            Account.objects.filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", flat=True)[:BATCH_SIZE]
        )
        if not batch:
            return
        yield batch
        last = batch[-1]


def _recompute_orm(ids: list[int] | None, moments: Moments) -> int:
    figures = account_figures(moments)
    rate = post_engagement_rate()
    updated = 0
    if ids is None:
        Post.objects.filter(account__isnull=True).update(engagement_rate=engagement_rate())
    for batch in _id_batches(ids):
        with transaction.atomic():
            Post.objects.filter(account_id__in=batch).update(engagement_rate=rate)
            updated += Account.objects.filter(pk__in=batch).update(
                **figures, metrics_computed_at=moments.now
            )
    return updated
