"""Calendar windows (specs/metrics.md § Time): local calendar, aware datetimes, DST-proof."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from core import windows

NEW_YORK = ZoneInfo("America/New_York")


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def ny(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=NEW_YORK)


@pytest.fixture
def new_york(settings):
    settings.TIME_ZONE = "America/New_York"


def test_the_worked_examples_windows_in_utc():
    now = utc("2026-03-18 12:00")  # a Wednesday

    assert windows.start_of_week(now) == utc("2026-03-16 00:00")
    assert windows.start_of_month(now) == utc("2026-03-01 00:00")
    assert windows.last_calendar_week(now) == (utc("2026-03-09"), utc("2026-03-16"))
    assert windows.last_calendar_month(now) == (utc("2026-02-01"), utc("2026-03-01"))
    assert windows.this_month(now) == (utc("2026-03-01"), utc("2026-04-01"))
    assert windows.last_days(now, 7) == (utc("2026-03-11 12:00"), now)


def test_last_month_of_january_is_the_previous_december():
    assert windows.last_calendar_month(utc("2026-01-15 08:00")) == (
        utc("2025-12-01"),
        utc("2026-01-01"),
    )


def test_a_monday_at_midnight_and_the_1st_at_midnight_start_their_own_windows():
    monday = utc("2026-03-16 00:00")
    first = utc("2026-03-01 00:00")

    assert windows.start_of_week(monday) == monday
    assert windows.last_calendar_week(monday) == (utc("2026-03-09"), monday)
    assert windows.start_of_month(first) == first
    assert windows.last_calendar_month(first) == (utc("2026-02-01"), first)


def test_windows_are_taken_on_the_agencys_wall_clock(new_york):
    # 2026-03-02 03:00 UTC is still Sunday 1 March, 22:00 in New York.
    now = utc("2026-03-02 03:00")

    assert windows.start_of_week(now) == ny("2026-02-23 00:00")
    assert windows.start_of_month(now) == ny("2026-03-01 00:00") == utc("2026-03-01 05:00")
    # 2026-03-01 03:00 UTC is still February in New York.
    assert windows.start_of_month(utc("2026-03-01 03:00")) == utc("2026-02-01 05:00")


def test_the_week_of_a_dst_change_is_an_hour_short_and_starts_at_local_midnight(new_york):
    # Clocks went forward on Sunday 2026-03-08 at 02:00 in New York.
    now = ny("2026-03-10 08:00")

    start, end = windows.last_calendar_week(now)

    assert start == utc("2026-03-02 05:00")  # Monday 00:00 EST
    assert end == utc("2026-03-09 04:00")  # Monday 00:00 EDT
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(days=6, hours=23)
    assert windows.start_of_week(now).utcoffset() == timedelta(hours=-4)


def test_month_bounds_across_the_autumn_change(new_york):
    start, end = windows.month_bounds(2026, 11)

    assert start == utc("2026-11-01 04:00")  # EDT
    assert end == utc("2026-12-01 05:00")  # EST
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(days=30, hours=1)
    assert windows.elapsed_fraction(end, (start, end)) == (30 * 86400 + 3600,) * 2


def test_rolling_windows_are_elapsed_time_not_calendar_days(new_york):
    now = ny("2026-03-10 08:00")  # EDT; seven days earlier New York was on EST

    start, end = windows.last_days(now, 7)

    assert start == utc("2026-03-03 12:00") == ny("2026-03-03 07:00")
    assert end == now


def test_elapsed_fraction_of_the_month_in_whole_seconds():
    month = windows.this_month(utc("2026-04-16 00:00"))

    assert windows.elapsed_fraction(utc("2026-04-16 00:00"), month) == (15 * 86400, 30 * 86400)
    assert windows.elapsed_fraction(utc("2026-03-20"), month) == (0, 30 * 86400)
    assert windows.elapsed_fraction(utc("2026-05-20"), month) == (30 * 86400, 30 * 86400)


@pytest.mark.parametrize(
    ("granularity", "start", "end"),
    [
        ("day", "2026-03-08 00:00", "2026-03-09 00:00"),
        ("week", "2026-03-02 00:00", "2026-03-09 00:00"),
        ("month", "2026-03-01 00:00", "2026-04-01 00:00"),
    ],
)
def test_buckets_contain_their_moment(new_york, granularity, start, end):
    moment = ny("2026-03-08 15:30")  # the DST Sunday

    assert windows.bucket_start(moment, granularity) == ny(start)
    assert windows.bucket_end(moment, granularity) == ny(end)


def test_an_unknown_granularity_and_a_naive_moment_are_refused():
    with pytest.raises(ValueError, match="granularity"):
        windows.bucket_start(utc("2026-03-08"), "hour")
    with pytest.raises(ValueError, match="naive"):
        windows.start_of_month(datetime(2026, 3, 8))
