"""Refreshing account profiles: snapshots, profile fields, private and vanished accounts."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from creators.models import Account, AccountSnapshot
from creators.services.tracking import (
    NOT_FOUND_REASON,
    PRIVATE_REASON,
    account_refresh_batch,
    account_refresh_due,
)
from creators.tasks import refresh_accounts
from operations.demo import NEVER
from platforms.providers.base import NotFound, Private, RateLimited
from tests.creators.factories import AccountFactory, AccountSnapshotFactory
from tests.operations import fakes

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 18, 12, 0, tzinfo=UTC)


@pytest.fixture
def fake(settings, monkeypatch):
    settings.ACCOUNT_REFRESH_HOURS = 24
    return fakes.install(settings, monkeypatch)


def test_a_due_account_gets_a_snapshot_and_its_profile_fields(fake):
    account = AccountFactory(username="alice")
    fake.profiles["alice"] = fakes.profile_stats(
        "alice",
        external_id="17841400000",
        full_name="Alice A.",
        biography="Hi",
        profile_pic_url="https://cdn.example.com/alice.jpg",
        is_verified=True,
        is_private=False,
        followers=12_000,
        following=80,
        media_count=321,
    )

    report = account_refresh_due(now=NOW)

    account.refresh_from_db()
    assert (report.ok, report.failed) == (1, 0)
    assert (account.followers, account.following, account.total_media_count) == (12_000, 80, 321)
    assert (account.full_name, account.biography) == ("Alice A.", "Hi")
    assert account.profile_pic_url == "https://cdn.example.com/alice.jpg"
    assert (account.is_verified, account.is_private) == (True, False)
    assert account.external_id == "17841400000"
    assert account.last_stats_update == NOW
    assert account.next_stats_at == NOW + timedelta(days=1)
    snapshot = AccountSnapshot.objects.get(account=account)
    assert (snapshot.captured_at, snapshot.followers, snapshot.media_count) == (NOW, 12_000, 321)
    assert snapshot.source == "fake"


def test_an_account_is_refreshed_once_a_day(fake):
    AccountFactory(username="alice")
    fake.profiles["alice"] = fakes.profile_stats("alice")

    account_refresh_due(now=NOW)
    account_refresh_due(now=NOW + timedelta(hours=23))
    account_refresh_due(now=NOW + timedelta(hours=24))

    assert AccountSnapshot.objects.count() == 2


def test_refreshing_twice_at_the_same_moment_writes_one_snapshot(fake):
    account = AccountFactory(username="alice")
    fake.profiles["alice"] = fakes.profile_stats("alice")

    account_refresh_batch(accounts=[account], now=NOW)
    account_refresh_batch(accounts=[Account.objects.get(pk=account.pk)], now=NOW)

    assert AccountSnapshot.objects.count() == 1


def test_untracked_and_demo_accounts_are_not_refreshed(fake):
    AccountFactory(username="off", tracking_enabled=False, disabled_reason="Paused")
    # As operations.demo creates it: never due.
    AccountFactory(username="demo_x", extra={"demo": True}, next_stats_at=NEVER)

    account_refresh_due(now=NOW)

    assert fake.calls == []


def test_known_profile_text_is_kept_when_a_provider_does_not_know_it(fake):
    account = AccountFactory(username="alice", full_name="Alice A.", biography="Hi")
    fake.profiles["alice"] = fakes.profile_stats("alice", full_name=None, biography="")

    account_refresh_due(now=NOW)

    account.refresh_from_db()
    assert (account.full_name, account.biography) == ("Alice A.", "Hi")


def test_a_private_account_stops_being_tracked_with_the_reason_in_the_api_and_the_admin(
    fake, api, superuser_client
):
    account = AccountFactory(username="alice", followers=900)
    AccountSnapshotFactory(account=account, captured_at=NOW - timedelta(days=1), followers=900)
    fake.profiles["alice"] = Private("This account is private")

    account_refresh_due(now=NOW)

    account.refresh_from_db()
    assert account.tracking_enabled is False
    assert account.disabled_reason == PRIVATE_REASON
    assert account.is_private is True
    assert account.followers == 900
    assert AccountSnapshot.objects.filter(account=account).count() == 1

    body = api.get(f"/api/v1/accounts/{account.pk}/").json()
    assert body["tracking_enabled"] is False
    assert body["disabled_reason"] == PRIVATE_REASON

    page = superuser_client.get(reverse("admin:creators_account_change", args=[account.pk]))
    assert page.status_code == 200
    assert PRIVATE_REASON in page.content.decode()


def test_an_account_not_found_stops_being_tracked_and_keeps_its_history(fake):
    account = AccountFactory(username="alice")
    AccountSnapshotFactory(account=account, captured_at=NOW - timedelta(days=1))
    fake.profiles["alice"] = NotFound("gone")

    account_refresh_due(now=NOW)

    account.refresh_from_db()
    assert account.tracking_enabled is False
    assert account.disabled_reason == NOT_FOUND_REASON
    assert AccountSnapshot.objects.filter(account=account).count() == 1


def test_an_account_turned_off_by_hand_meanwhile_keeps_its_own_reason(fake):
    account = AccountFactory(username="alice")
    fake.profiles["alice"] = Private("private")
    Account.objects.filter(pk=account.pk).update(
        tracking_enabled=False, disabled_reason="Client left"
    )

    account_refresh_batch(accounts=[account], now=NOW)

    account.refresh_from_db()
    assert account.disabled_reason == "Client left"


def test_a_rate_limited_account_keeps_its_numbers_and_waits_for_retry_after(fake):
    account = AccountFactory(username="alice", followers=900)
    fake.profiles["alice"] = RateLimited(retry_after=600)

    report = account_refresh_due(now=NOW)

    account.refresh_from_db()
    assert report.failed == 1
    assert account.followers == 900
    assert account.stats_failures == 1
    assert account.next_stats_at == NOW + timedelta(minutes=10)
    assert account.tracking_enabled is True
    assert not AccountSnapshot.objects.exists()


def test_the_refresh_accounts_task_refreshes_the_given_accounts(fake):
    alice = AccountFactory(username="alice", next_stats_at=NOW + timedelta(days=300))
    AccountFactory(username="bob")
    fake.profiles["alice"] = fakes.profile_stats("alice")

    assert refresh_accounts([alice.pk]) == "1 ok, 0 failed"

    assert list(AccountSnapshot.objects.values_list("account_id", flat=True)) == [alice.pk]
