"""Snapshot retention (issue 21): the `thin_snapshots` job keeps every snapshot for
SNAPSHOT_FULL_DAYS and then one per post (account) and local day, the day's last, so that every
figure of specs/metrics.md at day resolution is the same before and after."""

import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.windows import local_date, start_of_day
from creators.metrics import FIGURES
from creators.metrics.history import account_snapshot_history
from creators.models import Account, AccountSnapshot
from finance.metrics import account_figures_recompute
from operations import jobs
from operations.models import JobRun
from operations.schedules import SCHEDULES
from posts.choices import BaseFormat, TrialStatus
from posts.metrics import COUNTERS, daily_history, post_snapshot_history, value_at, views_gained
from posts.models import Post, PostSnapshot
from posts.services.retention import post_snapshots_thin, retention_cutoff, snapshots_thin
from tests.creators.factories import AccountFactory, AccountSnapshotFactory
from tests.posts.factories import PostFactory, PostSnapshotFactory

pytestmark = pytest.mark.django_db

ZONE = "Asia/Kolkata"  # +05:30 all year: local days are not UTC days, rolling windows stay whole
NOW = datetime(2026, 3, 18, tzinfo=ZoneInfo(ZONE))  # local midnight: day resolution
DAY = timedelta(days=1)
SECOND = timedelta(seconds=1)


@pytest.fixture(autouse=True)
def agency_zone(settings):
    settings.TIME_ZONE = ZONE
    settings.SNAPSHOT_FULL_DAYS = 90


def moments_of_day(rng: random.Random, midnight: datetime) -> list[datetime]:
    """0 to 4 refreshes at random times of the day, sometimes one exactly at midnight."""
    count = rng.choice((0, 0, 1, 1, 2, 4))
    moments = {midnight + timedelta(seconds=rng.randrange(1, 86_400)) for _ in range(count)}
    if rng.random() < 0.08:
        moments.add(midnight)
    return sorted(moments)


def make_agency(seed: int = 21) -> None:
    """Accounts and posts over 400 days, with irregular refreshes (several a day, days
    without any, corrections that lower a count)."""
    rng = random.Random(seed)
    for a in range(3):
        account = AccountFactory(username=f"thin{a}", followers=0)
        followers = rng.randrange(1_000, 50_000)
        start = NOW - rng.randrange(200, 400) * DAY
        day = start
        while day <= NOW:
            for moment in moments_of_day(rng, day):
                followers += rng.randrange(-50, 500)
                AccountSnapshotFactory(account=account, captured_at=moment, followers=followers)
            day += DAY
        for p in range(6):
            published = NOW - rng.randrange(1, 420) * DAY + rng.randrange(86_400) * SECOND
            photo = p in (0, 3, 5)
            post = PostFactory(
                account=account,
                post_date=published,
                is_trial=p == 1,
                trial_status=TrialStatus.PENDING if p == 1 else None,
                base_format=BaseFormat.SINGLE_PHOTO if photo else BaseFormat.VIDEO,
            )
            views = 0
            day = max(start_of_day(published), start) + rng.randrange(0, 5) * DAY
            while day <= NOW:
                for moment in moments_of_day(rng, day):
                    views += rng.randrange(-20, 3_000)
                    PostSnapshotFactory(
                        post=post,
                        captured_at=moment,
                        views=None if photo else views,
                        likes=views // 20,
                        comments=views // 300,
                    )
                day += DAY
            if post.snapshots.exists():
                last = post.snapshots.order_by("-captured_at").first()
                post.views, post.likes, post.comments = last.views, last.likes, last.comments
                post.save(update_fields=["views", "likes", "comments"])


def figures() -> dict:
    """Every figure of specs/metrics.md at day resolution, read back from the database."""
    result = {}
    for days_back in (0, 1, 45, 120, 200, 300):
        now = NOW - days_back * DAY
        account_figures_recompute(now=now)
        result[f"accounts@{days_back}"] = list(Account.objects.order_by("pk").values(*FIGURES))
        result[f"rates@{days_back}"] = list(
            Post.objects.order_by("pk").values_list("pk", "engagement_rate")
        )
    for granularity in ("day", "week", "month"):
        for post in Post.objects.order_by("pk"):
            history = post_snapshot_history(post=post, granularity=granularity)
            result[f"post {post.pk} by {granularity}"] = list(history)
        for account in Account.objects.order_by("pk"):
            history = account_snapshot_history(account=account, granularity=granularity)
            result[f"account {account.pk} by {granularity}"] = list(history)
    daily = daily_history(PostSnapshot.objects.all(), counters=COUNTERS)
    result["daily"] = sorted(
        daily.values_list("post_id", "bucket", "last_views", "last_likes", "gained")
    )
    midnights = [NOW - n * DAY for n in (0, 1, 6, 7, 30, 89, 91, 100, 150, 364, 365, 399)]
    posts = Post.objects.order_by("pk")
    for start in midnights:
        values = {f"{c}@": value_at(c, start) for c in COUNTERS}
        result[f"values@{start}"] = list(posts.annotate(**values).values(*values))
        for end in midnights:
            if start < end:
                gained = posts.annotate(g=views_gained(start, end)).values_list("g", flat=True)
                result[f"gained {start}..{end}"] = list(gained)
    return result


def test_thinning_changes_no_figure_at_day_resolution():
    make_agency()
    before = figures()
    snapshots = PostSnapshot.objects.count() + AccountSnapshot.objects.count()

    deleted = post_snapshots_thin(now=NOW).ok
    deleted += snapshots_thin(AccountSnapshot, owner="account_id", kind="a", now=NOW).ok

    assert deleted > snapshots / 10  # the test thins for real
    after = figures()
    assert after.keys() == before.keys()
    for key in before:
        assert after[key] == before[key], key


def test_snapshots_of_the_last_full_days_are_untouched():
    make_agency(seed=7)
    cutoff = retention_cutoff(NOW)
    assert cutoff == NOW - 90 * DAY
    recent = set(PostSnapshot.objects.filter(captured_at__gte=cutoff).values_list("pk", flat=True))

    post_snapshots_thin(now=NOW)

    kept = set(PostSnapshot.objects.filter(captured_at__gte=cutoff).values_list("pk", flat=True))
    assert kept == recent


def expected_kept(rows: list[tuple[int, int, datetime]], cutoff: datetime) -> set[int]:
    """By hand: older than the cutoff, per owner and local day the last snapshot, plus the
    owner's first ever and any taken exactly at local midnight."""
    kept, last_of_day, seen = set(), {}, set()
    for pk, owner, moment in sorted(rows, key=lambda row: row[2]):
        local = moment.astimezone(ZoneInfo(ZONE))
        if moment >= cutoff or owner not in seen or local.time() == datetime.min.time():
            kept.add(pk)
        seen.add(owner)
        last_of_day[(owner, local.date())] = pk
    return kept | set(last_of_day.values())


def test_each_thinned_day_keeps_exactly_its_last_snapshot():
    make_agency(seed=3)
    rows = list(PostSnapshot.objects.values_list("pk", "post_id", "captured_at"))
    days_with_several = {(owner, local_date(moment)) for _, owner, moment in rows}
    assert len(rows) > len(days_with_several)  # some days had several snapshots

    post_snapshots_thin(now=NOW)

    remaining = set(PostSnapshot.objects.values_list("pk", flat=True))
    assert remaining == expected_kept(rows, retention_cutoff(NOW))


def test_a_local_day_is_the_agency_time_zone_day_across_a_dst_change(settings):
    settings.TIME_ZONE = "America/New_York"  # 2025-11-02: a 25-hour day
    zone = ZoneInfo("America/New_York")
    post = PostFactory(post_date=datetime(2025, 10, 1, tzinfo=zone))
    moments = [
        datetime(2025, 11, 1, 23, 30, tzinfo=zone),  # the 1st's last
        datetime(2025, 11, 2, 0, 30, tzinfo=zone),
        datetime(2025, 11, 2, 1, 30, tzinfo=zone),  # EDT
        datetime(2025, 11, 2, 1, 30, tzinfo=zone).replace(fold=1),  # EST, an hour later
        datetime(2025, 11, 2, 23, 59, tzinfo=zone),  # the 2nd's last (UTC: the 3rd)
        datetime(2025, 11, 3, 4, 0, tzinfo=zone),
    ]
    first = PostSnapshotFactory(post=post, captured_at=datetime(2025, 10, 31, 12, tzinfo=zone))
    ids = [PostSnapshotFactory(post=post, captured_at=moment).pk for moment in moments]

    post_snapshots_thin(now=datetime(2026, 3, 18, tzinfo=zone))

    remaining = set(post.snapshots.values_list("pk", flat=True))
    assert remaining == {first.pk, ids[0], ids[4], ids[5]}


def test_a_second_run_deletes_nothing():
    make_agency(seed=5)
    assert post_snapshots_thin(now=NOW, batch_ids=50).ok > 0
    count = PostSnapshot.objects.count()

    assert post_snapshots_thin(now=NOW).ok == 0
    assert PostSnapshot.objects.count() == count


def test_small_batches_delete_the_same_snapshots_as_one_batch():
    make_agency(seed=9)
    rows = list(PostSnapshot.objects.values_list("pk", "post_id", "captured_at"))

    report = post_snapshots_thin(now=NOW, batch_ids=7)

    assert report.batches > 10
    assert set(PostSnapshot.objects.values_list("pk", flat=True)) == expected_kept(
        rows, retention_cutoff(NOW)
    )


def test_the_daily_job_thins_posts_and_accounts_and_records_its_run():
    make_agency(seed=11)
    before = PostSnapshot.objects.count() + AccountSnapshot.objects.count()

    run = JobRun.objects.get(pk=jobs.thin_snapshots(now=NOW))

    after = PostSnapshot.objects.count() + AccountSnapshot.objects.count()
    assert run.status == "succeeded" and run.items_ok == before - after > 0
    assert SCHEDULES["thin_snapshots"]["func"] == "operations.jobs.thin_snapshots"
    assert JobRun.objects.get(pk=jobs.thin_snapshots(now=NOW)).items_ok == 0


def test_a_longer_full_period_keeps_more(settings):
    make_agency(seed=13)
    settings.SNAPSHOT_FULL_DAYS = 365
    cutoff = retention_cutoff(NOW)
    recent = PostSnapshot.objects.filter(captured_at__gte=cutoff).count()

    post_snapshots_thin(now=NOW)

    assert PostSnapshot.objects.filter(captured_at__gte=cutoff).count() == recent


def test_a_second_run_looks_at_no_old_snapshot():
    make_agency(seed=15)
    post_snapshots_thin(now=NOW, batch_ids=50)
    # A redundant snapshot slipped into a day already thinned: a full scan would delete it.
    old = PostSnapshot.objects.filter(captured_at__lt=NOW - 200 * DAY).earliest("captured_at")
    old_day = PostSnapshot.objects.filter(
        post_id=old.post_id, captured_at__gt=old.captured_at
    ).earliest("captured_at")
    slipped = PostSnapshotFactory(post_id=old.post_id, captured_at=old_day.captured_at - SECOND)
    batches = []

    report = post_snapshots_thin(now=NOW + 6 * 3600 * SECOND, batch_ids=50, on_batch=batches.append)

    assert report.batches == len(batches) == 0 and report.ok == 0
    assert PostSnapshot.objects.filter(pk=slipped.pk).exists()


def test_the_next_days_run_thins_only_the_day_that_turned_old():
    make_agency(seed=17)
    rows = list(PostSnapshot.objects.values_list("pk", "post_id", "captured_at"))
    post_snapshots_thin(now=NOW)
    day_turning_old = PostSnapshot.objects.filter(
        captured_at__gte=retention_cutoff(NOW), captured_at__lt=retention_cutoff(NOW + DAY)
    ).count()

    report = post_snapshots_thin(now=NOW + DAY)

    assert 0 < report.ok < day_turning_old
    remaining = set(PostSnapshot.objects.values_list("pk", flat=True))
    assert remaining == expected_kept(rows, retention_cutoff(NOW + DAY))


def test_a_run_cut_by_its_time_budget_goes_on_where_it_stopped(monkeypatch):
    make_agency(seed=19)
    rows = list(PostSnapshot.objects.values_list("pk", "post_id", "captured_at"))
    low, high = min(r[0] for r in rows), max(r[0] for r in rows)
    ranges = len(range(low, high + 1, 40))
    clock = iter(range(1_000_000))  # each look at the clock: one second later
    monkeypatch.setattr("posts.services.retention.time.monotonic", lambda: next(clock))
    first, second = [], []

    cut = post_snapshots_thin(now=NOW, batch_ids=40, time_budget=5, on_batch=first.append)
    assert 0 < cut.batches < ranges
    assert set(PostSnapshot.objects.values_list("pk", flat=True)) != expected_kept(
        rows, retention_cutoff(NOW)
    )

    post_snapshots_thin(now=NOW + DAY, batch_ids=40, on_batch=second.append)

    # The ranges of the cut pass not done yet, then the day that turned old since.
    assert len(first) + len(second) == 2 * ranges
    remaining = set(PostSnapshot.objects.values_list("pk", flat=True))
    assert remaining == expected_kept(rows, retention_cutoff(NOW + DAY))
