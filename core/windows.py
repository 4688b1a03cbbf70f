"""Calendar windows of specs/metrics.md, taken in the agency's time zone (the TIME_ZONE setting).

Pure functions: given `now` (an aware datetime) they return aware datetimes in that zone. A
window `(a, b)` means `[a, b)`. Calendar boundaries are built from local dates, so they stay at
local midnight across a DST change ("Monday 00:00" is Monday 00:00 on the wall clock, whatever
the UTC offset); rolling windows (`now - N days`) are plain elapsed time. Beware: Python
subtracts two datetimes of the same zone on the wall clock; elapsed time is taken in UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

Window = tuple[datetime, datetime]

GRANULARITIES = ("day", "week", "month")


def agency_timezone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _require_aware(moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{moment!r} is naive: calendar windows need an aware datetime.")


def local_midnight(day: date) -> datetime:
    """00:00 of `day` on the agency's wall clock, as an aware datetime.

    Where a zone skips midnight (DST at 00:00), the moment is normalised through UTC, so it is
    the first instant of the local day.
    """
    zone = agency_timezone()
    return datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(zone)


def local_date(moment: datetime) -> date:
    _require_aware(moment)
    return moment.astimezone(agency_timezone()).date()


def start_of_day(now: datetime) -> datetime:
    return local_midnight(local_date(now))


def start_of_week(now: datetime) -> datetime:
    """Monday 00:00 of the week of `now`."""
    today = local_date(now)
    return local_midnight(today - timedelta(days=today.weekday()))


def start_of_month(now: datetime) -> datetime:
    """The 1st of the month of `now`, 00:00."""
    return local_midnight(local_date(now).replace(day=1))


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + (day.month - 1) + months
    return date(index // 12, index % 12 + 1, 1)


def month_bounds(year: int, month: int) -> Window:
    """`[1st of the month, 1st of the next month)`."""
    first = date(year, month, 1)
    return local_midnight(first), local_midnight(_add_months(first, 1))


def this_month(now: datetime) -> Window:
    """The whole calendar month of `now` (ends at the 1st of the next month, not at `now`)."""
    today = local_date(now)
    return month_bounds(today.year, today.month)


def last_calendar_month(now: datetime) -> Window:
    """`[1st of the previous month, 1st of this month)`."""
    previous = _add_months(local_date(now), -1)
    return month_bounds(previous.year, previous.month)


def last_calendar_week(now: datetime) -> Window:
    """`[Monday of the previous week, Monday of this week)`."""
    monday = local_date(now)
    monday -= timedelta(days=monday.weekday())
    return local_midnight(monday - timedelta(days=7)), local_midnight(monday)


def last_days(now: datetime, days: int) -> Window:
    """`[now - days, now)`: elapsed time, not calendar days."""
    _require_aware(now)
    # In UTC: Python subtracts wall-clock time between datetimes of one zone.
    return now.astimezone(UTC) - timedelta(days=days), now


def elapsed_fraction(now: datetime, window: Window) -> tuple[int, int]:
    """How much of `window` has passed at `now`, as (elapsed, length) in whole seconds.

    Integers, so a comparison like `volume * length >= expected * elapsed` is exact in SQL.
    Clamped to `[0, length]`.
    """
    start, end, now = (moment.astimezone(UTC) for moment in (*window, now))
    length = int((end - start).total_seconds())
    elapsed = int((min(max(now, start), end) - start).total_seconds())
    return elapsed, length


def bucket_start(moment: datetime, granularity: str) -> datetime:
    """Start of the day, week (Monday) or month that contains `moment`."""
    if granularity == "day":
        return start_of_day(moment)
    if granularity == "week":
        return start_of_week(moment)
    if granularity == "month":
        return start_of_month(moment)
    raise ValueError(f"Unknown granularity {granularity!r}; use one of {', '.join(GRANULARITIES)}.")


def bucket_end(moment: datetime, granularity: str) -> datetime:
    """Start of the bucket after the one that contains `moment`."""
    start = local_date(bucket_start(moment, granularity))
    if granularity == "day":
        return local_midnight(start + timedelta(days=1))
    if granularity == "week":
        return local_midnight(start + timedelta(days=7))
    return local_midnight(_add_months(start, 1))
