"""Fixed-window counters shared by all workers, in the database (`core.RateCounter`).

`counter_take` reserves one unit with a single conditional UPDATE (`… SET count = count + 1
WHERE count < limit`, or a fresh window when the last one has ended), so concurrent processes
on any machine never take more than `limit` units of one window: PostgreSQL re-checks the WHERE
after waiting for the row lock, SQLite runs one writer at a time. A cache's get-then-set (Django's
DatabaseCache.incr, DRF's throttle history) lets concurrent workers overshoot. A window starts at
its first hit and lasts `window_s` seconds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from .models import RateCounter


@dataclass(frozen=True)
class Taken:
    allowed: bool
    retry_after_s: int  # seconds until the window ends; 0 when allowed


def counter_take(key: str, *, limit: int, window_s: int) -> Taken:
    """Take one unit of `key`'s current window if fewer than `limit` were taken."""
    if limit <= 0:
        return Taken(False, window_s)
    now = timezone.now()
    if _take(key, now, limit, window_s):
        return Taken(True, 0)
    ends = RateCounter.objects.filter(key=key).values_list("window_ends_at", flat=True).first()
    if ends is None:
        # The first hit; when another worker created the row meanwhile, take through it.
        if _create(key, now, window_s) or _take(key, now, limit, window_s):
            return Taken(True, 0)
        ends = RateCounter.objects.filter(key=key).values_list("window_ends_at", flat=True).first()
    return Taken(False, max(1, math.ceil(((ends or now) - now).total_seconds())))


def counter_is_full(key: str, *, limit: int) -> bool:
    """Whether `key`'s running window has `limit` units taken."""
    return RateCounter.objects.filter(
        key=key, window_ends_at__gt=timezone.now(), count__gte=limit
    ).exists()


def counter_give_back(key: str) -> None:
    """Return one unit (an attempt that turned out not to count)."""
    RateCounter.objects.filter(key=key, count__gt=0).update(count=F("count") - 1)


def counter_reset(key: str) -> None:
    RateCounter.objects.filter(key=key).delete()


def _take(key: str, now: datetime, limit: int, window_s: int) -> bool:
    ended = Q(window_ends_at__lte=now)
    # One statement: an ended window restarts at 1, a running one adds 1 while under the limit.
    return bool(
        RateCounter.objects.filter(ended | Q(count__lt=limit), key=key).update(
            count=Case(When(ended, then=Value(1)), default=F("count") + 1),
            window_ends_at=Case(
                When(ended, then=Value(now + timedelta(seconds=window_s))),
                default=F("window_ends_at"),
            ),
        )
    )


def _create(key: str, now: datetime, window_s: int) -> bool:
    """Create `key`'s row with its first unit; False when another worker created it first."""
    # Ended windows count for nothing: dropping them here keeps the table as small as the traffic.
    RateCounter.objects.filter(window_ends_at__lte=now).delete()
    try:
        with transaction.atomic():
            RateCounter.objects.create(
                key=key, count=1, window_ends_at=now + timedelta(seconds=window_s)
            )
    except IntegrityError:
        return False
    return True
