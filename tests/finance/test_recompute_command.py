"""`manage.py recompute_metrics`, and the figures the API and the demo agency show."""

from datetime import UTC, datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from creators.models import Account
from tests.creators.factories import AccountFactory, AccountSnapshotFactory
from tests.posts.factories import PostFactory, PostSnapshotFactory

pytestmark = pytest.mark.django_db


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def run(*args: str) -> str:
    out = StringIO()
    call_command("recompute_metrics", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def account():
    account = AccountFactory()
    post = PostFactory(account=account, post_date=utc("2026-02-20"), views=10_000, likes=500)
    for moment, views in [("2026-02-21", 1_000), ("2026-03-18 10:00", 10_000)]:
        PostSnapshotFactory(post=post, captured_at=utc(moment), views=views)
    AccountSnapshotFactory(account=account, captured_at=utc("2026-03-02"), followers=900)
    AccountSnapshotFactory(account=account, captured_at=utc("2026-03-17"), followers=1_000)
    return account


def test_the_command_recomputes_every_account_as_of_a_moment(account):
    other = AccountFactory()

    output = run("--now", "2026-03-18T12:00:00Z")

    assert (
        "Recomputed the metrics of 2 accounts (every account) as of 2026-03-18T12:00:00+00:00"
        in output
    )
    account.refresh_from_db()
    assert account.views_since_1st_of_month == 9_000
    assert account.followers_since_monday == 100
    assert account.metrics_computed_at == utc("2026-03-18 12:00")
    other.refresh_from_db()
    assert other.metrics_computed_at == utc("2026-03-18 12:00")


def test_the_command_recomputes_only_the_given_accounts(account):
    other = AccountFactory()

    output = run("--account", str(account.pk), "--now", "2026-03-18 12:00")

    assert f"1 account (account {account.pk})" in output
    assert Account.objects.get(pk=other.pk).metrics_computed_at is None


def test_a_naive_now_is_in_the_agencys_time_zone(account, settings):
    settings.TIME_ZONE = "America/New_York"

    run("--account", str(account.pk), "--now", "2026-03-18T08:00")

    account.refresh_from_db()
    assert account.metrics_computed_at == utc("2026-03-18 12:00")


def test_without_now_the_command_uses_the_current_time(account):
    run("--account", str(account.pk))

    account.refresh_from_db()
    assert account.metrics_computed_at is not None
    assert account.total_views == 10_000


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--now", "yesterday"], "not an ISO 8601"),
        (["--account", "987654"], "No account with id 987654"),
    ],
)
def test_bad_arguments_are_refused(account, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)


def test_the_api_shows_the_figures_and_the_posts_engagement_rate(account, api):
    run("--now", "2026-03-18T12:00:00Z")

    data = api.get(f"/api/v1/accounts/{account.pk}/").json()
    post = api.get(f"/api/v1/posts/?account={account.pk}").json()["results"][0]

    assert data["views_since_1st_of_month"] == 9_000
    assert data["views_last_calendar_month"] == data["last_month_views_generated"] == 1_000
    assert data["avg_engagement_rate"] == post["engagement_rate"] == "5.00"
    assert data["kpi_status"] == "no_target"
    assert data["metrics_computed_at"] == "2026-03-18T12:00:00Z"


def test_the_demo_agency_comes_with_its_figures():
    call_command("seed_demo", "--accounts", "3", "--posts", "60", "--days", "10", stdout=StringIO())

    accounts = Account.objects.filter(extra__demo=True)
    assert accounts.count() == 3
    assert not accounts.filter(metrics_computed_at__isnull=True).exists()
    assert accounts.filter(total_views__gt=0).exists()
    assert accounts.filter(avg_engagement_rate__gt=Decimal(0)).exists()
