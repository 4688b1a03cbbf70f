"""Daily rollups (specs/analytics.md): the same figures as the metrics engine's windows."""

from datetime import UTC, date, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Sum

from analytics.models import DailyAccountMetric, DailyPostMetric
from analytics.queries import gained
from analytics.services.rollups import daily_metrics_rollup
from core import windows
from creators.metrics import Moments
from creators.models import Account
from finance.metrics import account_figures_recompute
from operations.jobs import rollup_daily_metrics
from operations.models import JobRun
from posts.metrics import COUNTERS
from posts.models import Post, PostSnapshot
from posts.services.retention import post_snapshots_thin
from tests.analytics.agency import demo_rolled_up
from tests.creators.factories import AccountFactory, AccountSnapshotFactory
from tests.posts.factories import PostFactory, PostSnapshotFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 18, 12, 0, tzinfo=UTC)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def row(account, day: str) -> DailyAccountMetric:
    return DailyAccountMetric.objects.get(account=account, date=date.fromisoformat(day))


def worked_example():
    """specs/metrics.md's post P on an account followed from 03-01."""
    account = AccountFactory()
    post = PostFactory(account=account, post_date=utc("2026-02-20"))
    for moment, views, likes in [
        ("2026-02-21 00:00", 1_000, 10),
        ("2026-03-01 06:00", 5_000, 50),
        ("2026-03-16 09:00", 9_000, 90),
        ("2026-03-18 10:00", 10_000, 100),
    ]:
        PostSnapshotFactory(post=post, captured_at=utc(moment), views=views, likes=likes)
    for moment, followers in [("2026-03-01 08:00", 500), ("2026-03-16 20:00", 530)]:
        AccountSnapshotFactory(account=account, captured_at=utc(moment), followers=followers)
    return account, post


def test_a_day_holds_what_the_posts_gained_in_it_and_the_followers_at_its_end():
    account, _ = worked_example()

    daily_metrics_rollup(start=date(2026, 2, 19), end=date(2026, 3, 17))

    # Published 02-20: 0 before; the 02-21 00:00 snapshot is the value at 02-20's end.
    assert row(account, "2026-02-19").views_gained == 0
    assert row(account, "2026-02-20").views_gained == 1_000
    assert row(account, "2026-02-20").posts_published == 1
    assert row(account, "2026-02-21").views_gained == 0
    assert row(account, "2026-03-01").views_gained == 4_000
    assert row(account, "2026-03-01").likes_gained == 40
    assert row(account, "2026-03-01").engagement_rate == 1.0
    assert row(account, "2026-03-02").engagement_rate is None  # nothing viewed that day
    assert row(account, "2026-03-16").views_gained == 4_000
    # Followers: the earliest snapshot before tracking began, then the day's last value.
    assert row(account, "2026-02-25").followers == 500
    assert row(account, "2026-03-15").followers == 500
    assert row(account, "2026-03-16").followers == 530


def test_negative_corrections_are_kept():
    account = AccountFactory()
    post = PostFactory(account=account, post_date=utc("2026-03-01"))
    PostSnapshotFactory(post=post, captured_at=utc("2026-03-02 10:00"), views=900)
    PostSnapshotFactory(post=post, captured_at=utc("2026-03-03 10:00"), views=700)

    daily_metrics_rollup(start=date(2026, 3, 3), end=date(2026, 3, 3))

    assert row(account, "2026-03-03").views_gained == -200


def test_trial_reels_are_left_out_like_in_the_account_figures():
    account = AccountFactory()
    trial = PostFactory(
        account=account, post_date=utc("2026-03-01"), is_trial=True, trial_status="pending"
    )
    PostSnapshotFactory(post=trial, captured_at=utc("2026-03-01 10:00"), views=900)

    daily_metrics_rollup(start=date(2026, 3, 1), end=date(2026, 3, 1))

    assert row(account, "2026-03-01").views_gained == 0
    assert row(account, "2026-03-01").posts_published == 0


def test_rolling_up_again_rewrites_the_rows_without_duplicating_them():
    account, post = worked_example()
    daily_metrics_rollup(start=date(2026, 3, 1), end=date(2026, 3, 17))
    PostSnapshotFactory(post=post, captured_at=utc("2026-03-17 09:00"), views=9_500)

    again = daily_metrics_rollup(start=date(2026, 3, 1), end=date(2026, 3, 17))

    assert again.rows == 17
    assert DailyAccountMetric.objects.filter(account=account).count() == 17
    assert row(account, "2026-03-17").views_gained == 500


def test_a_day_in_the_agency_time_zone_follows_its_midnights(settings):
    settings.TIME_ZONE = "America/New_York"  # UTC-5 in early March
    account = AccountFactory()
    post = PostFactory(account=account, post_date=utc("2026-02-01"))
    PostSnapshotFactory(post=post, captured_at=utc("2026-03-01 12:00"), views=100)
    # 03:00 UTC on 03-03 is still 03-02 in New York.
    PostSnapshotFactory(post=post, captured_at=utc("2026-03-03 03:00"), views=160)

    daily_metrics_rollup(start=date(2026, 3, 2), end=date(2026, 3, 3))

    assert row(account, "2026-03-02").views_gained == 60
    assert row(account, "2026-03-03").views_gained == 0


def test_thinning_old_snapshots_leaves_the_rollups_as_they_were(settings):
    settings.SNAPSHOT_FULL_DAYS = 1
    _, post = worked_example()
    for hour in (1, 5, 9):
        PostSnapshotFactory(
            post=post, captured_at=utc(f"2026-03-05 {hour:02}:00"), views=5_000 + hour * 100
        )
    daily_metrics_rollup(start=date(2026, 2, 20), end=date(2026, 3, 16))
    before = list(DailyAccountMetric.objects.order_by("date").values_list("date", "views_gained"))

    post_snapshots_thin(now=NOW)
    assert PostSnapshot.objects.filter(captured_at__date=date(2026, 3, 5)).count() == 1
    daily_metrics_rollup(start=date(2026, 2, 20), end=date(2026, 3, 16))

    after = list(DailyAccountMetric.objects.order_by("date").values_list("date", "views_gained"))
    assert after == before


# --- The same numbers as the metrics engine, on the demo agency -------------------------------


def rollup_sum(account_id: int, field: str, window: tuple[datetime, datetime]) -> int:
    first, last = windows.local_date(window[0]), windows.local_date(window[1]) - timedelta(days=1)
    total = DailyAccountMetric.objects.filter(
        account_id=account_id, date__gte=first, date__lte=last
    ).aggregate(total=Sum(field))["total"]
    return total or 0


def followers_at(account_id: int, moment: datetime) -> int | None:
    """followers@moment, a local midnight: the rollup of the day before."""
    day = windows.local_date(moment) - timedelta(days=1)
    return DailyAccountMetric.objects.get(account_id=account_id, date=day).followers


def engine_and_rollups(moment: datetime, *, rolling: bool) -> tuple[dict, dict]:
    account_figures_recompute(now=moment)
    moments = Moments.at(moment)
    view_windows = moments.view_windows()
    if not rolling:  # elapsed-time windows do not start at a local midnight across DST
        view_windows = {k: v for k, v in view_windows.items() if "calendar" in k or "since" in k}
    engine, rollups = {}, {}
    for account in Account.objects.all():
        for field, window in view_windows.items():
            engine[(account.pk, field)] = getattr(account, field) or 0
            rollups[(account.pk, field)] = rollup_sum(account.pk, "views_gained", window)
        engine[(account.pk, "followers_since_monday")] = account.followers_since_monday
        rollups[(account.pk, "followers_since_monday")] = followers_at(
            account.pk, moment
        ) - followers_at(account.pk, moments.monday)
    return engine, rollups


@pytest.mark.parametrize("zone", ["UTC", "America/New_York"])
def test_rollup_sums_equal_the_engine_windows_on_the_demo_agency(settings, zone):
    demo_rolled_up(settings, zone, accounts=6, posts=150, days=75)

    checked = 0
    for day in (date(2026, 3, 18), date(2026, 3, 16), date(2026, 3, 9), date(2026, 3, 1)):
        engine, rollups = engine_and_rollups(windows.local_midnight(day), rolling=zone == "UTC")
        assert rollups == engine, day
        checked += sum(1 for value in engine.values() if value)
    assert checked > 20  # the demo agency's posts moved in those windows


def post_rows(post) -> dict[str, int | None]:
    return {
        str(day): views
        for day, views in DailyPostMetric.objects.filter(post=post)
        .order_by("date")
        .values_list("date", "views_gained")
    }


def test_a_post_has_a_row_only_for_the_days_it_moved_in():
    _, post = worked_example()

    daily_metrics_rollup(start=date(2026, 2, 19), end=date(2026, 3, 17))

    # Published 02-20 and first tracked at 02-21 00:00 (the end of 02-20), then two moves.
    assert post_rows(post) == {"2026-02-20": 1_000, "2026-03-01": 4_000, "2026-03-16": 4_000}
    assert DailyPostMetric.objects.get(post=post, date=date(2026, 3, 1)).likes_gained == 40


def test_a_corrected_day_loses_its_row_and_rolling_up_again_changes_nothing():
    account, post = worked_example()
    trial = PostFactory(account=account, post_date=utc("2026-03-01"))
    PostSnapshotFactory(post=trial, captured_at=utc("2026-03-05 10:00"), views=300)
    daily_metrics_rollup(start=date(2026, 3, 1), end=date(2026, 3, 17))
    assert post_rows(post)["2026-03-16"] == 4_000
    assert post_rows(trial) == {"2026-03-01": 300}

    # The platform corrected 03-16's count back to 03-01's: the day gained nothing after all.
    PostSnapshot.objects.filter(post=post, captured_at=utc("2026-03-16 09:00")).update(
        views=5_000, likes=50
    )
    # And the other post turned out to be a trial reel: it no longer counts.
    Post.objects.filter(pk=trial.pk).update(is_trial=True, trial_status="pending")
    daily_metrics_rollup(start=date(2026, 3, 1), end=date(2026, 3, 17))
    fields = ("post", "date", *(f"{c}_gained" for c in COUNTERS))
    first = list(DailyPostMetric.objects.order_by("post", "date").values_list(*fields))
    daily_metrics_rollup(start=date(2026, 3, 1), end=date(2026, 3, 17))

    assert post_rows(post) == {"2026-03-01": 4_000}
    assert post_rows(trial) == {}
    assert row(account, "2026-03-16").views_gained == 0
    assert list(DailyPostMetric.objects.order_by("post", "date").values_list(*fields)) == first


def test_rolling_up_again_writes_only_the_rows_that_changed():
    # The nightly pass recomputes a week that has mostly not changed: rewriting every row left
    # dead rows behind that slowed each read of the table until the next VACUUM.
    account, post = worked_example()
    other = PostFactory(account=account, post_date=utc("2026-02-20"))
    for moment, views in [("2026-03-01 06:00", 100), ("2026-03-10 06:00", 400)]:
        PostSnapshotFactory(post=other, captured_at=utc(moment), views=views)
    daily_metrics_rollup(start=date(2026, 3, 1), end=date(2026, 3, 17))
    ids = dict(DailyPostMetric.objects.values_list("id", "views_gained"))

    PostSnapshot.objects.filter(post=post, captured_at=utc("2026-03-16 09:00")).update(views=8_000)
    daily_metrics_rollup(start=date(2026, 3, 1), end=date(2026, 3, 17))

    after = dict(DailyPostMetric.objects.values_list("id", "views_gained"))
    assert set(after) == set(ids)  # the same rows, none deleted and inserted again
    changed = {pk for pk in after if after[pk] != ids[pk]}
    assert [DailyPostMetric.objects.get(pk=pk).date for pk in changed] == [date(2026, 3, 16)]
    assert post_rows(post)["2026-03-16"] == 3_000


@pytest.mark.parametrize("zone", ["UTC", "America/New_York"])
def test_a_posts_rows_add_up_to_what_the_engine_says_it_gained(settings, zone):
    today = demo_rolled_up(settings, zone, accounts=4, posts=80, days=60)

    checked = 0
    for first, last in [(-60, -1), (-30, -1), (-14, -8), (-7, -7), (-45, -20)]:
        start, end = today + timedelta(days=first), today + timedelta(days=last)
        window = (windows.local_midnight(start), windows.local_midnight(end + timedelta(days=1)))
        rows = (
            DailyPostMetric.objects.filter(date__gte=start, date__lte=end)
            .values("post_id")
            .annotate(**{f"{c}_sum": Sum(f"{c}_gained") for c in COUNTERS})
        )
        summed = {r["post_id"]: r for r in rows}
        engine = Post.objects.filter(is_trial=False).annotate(
            **{f"{c}_engine": gained(c, *window) for c in COUNTERS}
        )
        for post in engine:
            for counter in COUNTERS:
                expected = getattr(post, f"{counter}_engine")
                got = summed.get(post.pk, {}).get(f"{counter}_sum")
                if got is None and expected in (0, None):
                    continue  # no row: it did not move (or the counter is hidden)
                assert got == expected, (post.pk, counter, start, end)
                checked += bool(expected)
    assert checked > 50  # the demo agency's posts moved in those windows


# --- The nightly job and the backfill command -------------------------------------------------


def test_the_nightly_job_rolls_up_yesterday_and_repairs_the_week_before():
    account, _ = worked_example()

    rollup_daily_metrics(now=utc("2026-03-17 03:00"))

    run = JobRun.objects.get(job="rollup_daily_metrics")
    assert run.status == "succeeded" and run.items_ok == 8
    days = list(DailyAccountMetric.objects.order_by("date").values_list("date", flat=True))
    assert days[0] == date(2026, 3, 9) and days[-1] == date(2026, 3, 16)
    assert row(account, "2026-03-16").views_gained == 4_000


def test_the_backfill_command_shows_its_progress_and_writes_the_range():
    account, _ = worked_example()
    out = StringIO()

    call_command("rollup", "--start", "2026-03-01", "--end", "2026-03-10", stdout=out)

    assert "[" + "#" * 30 + "] 10/10" in out.getvalue()
    assert "Rolled up 10 days for 1 accounts: 10 rows" in out.getvalue()
    assert DailyAccountMetric.objects.filter(account=account).count() == 10


def test_the_backfill_command_refuses_a_bad_day():
    with pytest.raises(CommandError, match="not a day"):
        call_command("rollup", "--start", "2026-13-01", "--end", "2026-03-10")
