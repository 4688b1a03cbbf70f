"""Snapshot retention of the accounts' follower history (issue 21; the posts' side and the
figures compared before and after thinning are in tests/posts/test_snapshot_retention.py)."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from creators.metrics import account_metrics_recompute
from creators.services.retention import account_snapshots_thin
from posts.choices import BaseFormat
from tests.creators.factories import AccountFactory, AccountSnapshotFactory
from tests.posts.factories import PostFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 18, 12, tzinfo=UTC)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture(autouse=True)
def full_days(settings):
    settings.SNAPSHOT_FULL_DAYS = 90


def test_an_old_day_keeps_its_last_profile_snapshot_and_the_first_ever_is_kept():
    account = AccountFactory()
    taken = {
        moment: AccountSnapshotFactory(account=account, captured_at=at(moment), followers=n).pk
        for n, moment in enumerate(
            [
                "2025-06-01 08:00",  # the first ever: start of growth
                "2025-06-01 20:00",  # that day's last
                "2025-06-02 00:00",  # exactly midnight: followers@06-02 00:00
                "2025-06-02 09:00",
                "2025-06-02 18:00",  # that day's last
                "2025-06-03 10:00",  # alone on its day
            ]
        )
    }

    report = account_snapshots_thin(now=NOW)

    assert report.ok == 1
    assert set(account.snapshots.values_list("pk", flat=True)) == set(taken.values()) - {
        taken["2025-06-02 09:00"]
    }


def test_recent_profile_snapshots_are_all_kept_and_other_accounts_are_not_mixed_up():
    account, other = AccountFactory(), AccountFactory()
    recent = NOW - timedelta(days=10)
    for hours in (1, 2, 3):
        AccountSnapshotFactory(account=account, captured_at=recent + timedelta(hours=hours))
    old = at("2025-06-05 10:00")
    AccountSnapshotFactory(account=other, captured_at=old - timedelta(days=1))
    kept = AccountSnapshotFactory(account=account, captured_at=old)
    AccountSnapshotFactory(account=other, captured_at=old + timedelta(hours=1))

    assert account_snapshots_thin(now=NOW).ok == 0
    assert account.snapshots.count() == 4
    assert account.snapshots.filter(pk=kept.pk).exists()  # another account's later one is not its


def test_a_photo_keeps_its_engagement_rate_per_follower_at_its_publication():
    account = AccountFactory()
    for moment, followers in [
        ("2025-06-01 08:00", 1_000),
        ("2025-06-02 06:00", 2_000),  # followers@post_date of the photo: kept
        ("2025-06-02 12:00", 4_000),
        ("2025-06-02 18:00", 8_000),
    ]:
        AccountSnapshotFactory(account=account, captured_at=at(moment), followers=followers)
    photo = PostFactory(
        account=account,
        post_date=at("2025-06-02 07:00"),
        base_format=BaseFormat.SINGLE_PHOTO,
        views=None,
        likes=100,
    )
    account_metrics_recompute(account_ids=[account.pk], now=NOW)
    photo.refresh_from_db()
    assert photo.engagement_rate == Decimal("5.00")  # 100 / 2 000

    assert account_snapshots_thin(now=NOW).ok == 1  # 12:00; 18:00 is the day's last

    account_metrics_recompute(account_ids=[account.pk], now=NOW)
    photo.refresh_from_db()
    assert photo.engagement_rate == Decimal("5.00")


def test_profile_thinning_is_incremental_per_table():
    account = AccountFactory()
    for moment in ("2025-06-01 08:00", "2025-06-02 09:00", "2025-06-02 18:00", "2025-12-18 10:00"):
        AccountSnapshotFactory(account=account, captured_at=at(moment))
    AccountSnapshotFactory(account=account, captured_at=at("2025-12-18 16:00"))
    assert account_snapshots_thin(now=NOW).ok == 1
    # Another account's old redundant snapshot, added after the pass: its day is done.
    late = AccountFactory()
    for moment in ("2025-05-01 08:00", "2025-06-02 09:00", "2025-06-02 18:00"):
        AccountSnapshotFactory(account=late, captured_at=at(moment))

    again = account_snapshots_thin(now=NOW)
    next_day = account_snapshots_thin(now=NOW + timedelta(days=1))

    assert (again.batches, again.ok) == (0, 0)
    assert next_day.ok == 1  # 2025-12-18 turned 91 days old: its 10:00 goes
    assert late.snapshots.count() == 3
