import pytest
from django.db import IntegrityError, transaction

from creators.models import Account, AccountSnapshot
from posts.choices import Platform
from tests.creators.factories import AccountFactory, AccountSnapshotFactory

pytestmark = pytest.mark.django_db


def test_an_account_url_is_unique():
    account = AccountFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.create(url=account.url, platform=Platform.INSTAGRAM, username="other")


def test_an_account_username_is_unique_per_platform():
    AccountFactory(username="clipking")
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.create(
            url="https://instagram.com/clipking", platform=Platform.INSTAGRAM, username="clipking"
        )


def test_the_same_username_on_two_platforms_is_two_accounts():
    AccountFactory(username="clipking")
    AccountFactory(
        username="clipking", platform=Platform.TIKTOK, url="https://www.tiktok.com/@clipking"
    )
    assert Account.objects.filter(username="clipking").count() == 2


def test_an_account_has_at_most_one_snapshot_per_moment():
    snapshot = AccountSnapshotFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        AccountSnapshot.objects.create(
            account=snapshot.account, captured_at=snapshot.captured_at, followers=1
        )


def test_a_new_account_is_tracked_with_no_target_and_empty_metrics():
    account = AccountFactory()
    account.refresh_from_db()
    assert account.tracking_enabled is True
    assert account.kpi_status == "no_target"
    assert account.views_last_7d is None and account.posts_last_7d == 0
