"""Fixed-window counters shared by all workers, in the database (`core.RateCounter`).

`counter_take` reserves one unit with a single statement, an upsert whose update is conditional
(`… ON CONFLICT DO UPDATE SET count = count + 1 WHERE count < limit`, or a fresh window when the
last one has ended), so concurrent processes on any machine never take more than `limit` units
of one window: PostgreSQL re-checks the WHERE after waiting for the row lock, SQLite runs one
writer at a time. (A cache's get-then-set, as in Django's DatabaseCache.incr or DRF's throttle
history, lets concurrent workers overshoot.) A window starts at its first hit and lasts
`window_s` seconds. The same SQL runs on SQLite (3.24+) and PostgreSQL.

On PostgreSQL, a take outside a transaction commits without waiting for the WAL flush
(`synchronous_commit = off` for that statement alone): it is visible to every other process at
once, as before, but the request no longer waits for an fsync (about 4 ms of every API request
on our server, most of its fixed cost). A database crash may forget the last fraction of a
second of takes: a client could then make a few more requests in that window, nothing else.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta

from django.db import connection
from django.db.models import F
from django.utils import timezone

from .models import RateCounter


@dataclass(frozen=True)
class Taken:
    allowed: bool
    retry_after_s: int  # seconds until the window ends; 0 when allowed


def counter_take(key: str, *, limit: int, window_s: int) -> Taken:
    """Take one unit of `key`'s current window if fewer than `limit` were taken."""
    now = timezone.now()
    if limit > 0 and _take(key, now, now + timedelta(seconds=window_s), limit):
        return Taken(True, 0)
    ends = RateCounter.objects.filter(key=key).values_list("window_ends_at", flat=True).first()
    return Taken(False, max(1, math.ceil(((ends or now) - now).total_seconds())))


def counter_give_back(key: str) -> None:
    """Return one unit (an attempt that turned out not to count)."""
    RateCounter.objects.filter(key=key, count__gt=0).update(count=F("count") - 1)


def counter_reset(key: str) -> None:
    RateCounter.objects.filter(key=key).delete()


def counter_prune() -> None:
    """Drop the ended windows (they count for nothing), so the table stays as small as the
    traffic; the worker's heartbeat job calls it every minute."""
    RateCounter.objects.filter(window_ends_at__lte=timezone.now()).delete()


def _take(key: str, now, window_ends_at, limit: int) -> bool:
    table = connection.ops.quote_name(RateCounter._meta.db_table)
    key_column, count, ends = (
        connection.ops.quote_name(c) for c in ("key", "count", "window_ends_at")
    )
    adapt = connection.ops.adapt_datetimefield_value
    # set_config(…, true) lasts until the end of the transaction: here the statement's own,
    # never a caller's transaction (whose other writes must stay durable).
    asynchronous = connection.vendor == "postgresql" and not connection.in_atomic_block
    source = (
        "SELECT %s, 1, %s FROM (SELECT set_config('synchronous_commit', 'off', true)) AS _async"
        if asynchronous
        else "VALUES (%s, 1, %s)"
    )
    sql = (
        f"INSERT INTO {table} ({key_column}, {count}, {ends}) {source} "
        f"ON CONFLICT ({key_column}) DO UPDATE SET "
        f"{count} = CASE WHEN {table}.{ends} <= %s THEN 1 ELSE {table}.{count} + 1 END, "
        f"{ends} = CASE WHEN {table}.{ends} <= %s THEN excluded.{ends} ELSE {table}.{ends} END "
        f"WHERE {table}.{ends} <= %s OR {table}.{count} < %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [key, adapt(window_ends_at), adapt(now), adapt(now), adapt(now), limit])
        return cursor.rowcount == 1
