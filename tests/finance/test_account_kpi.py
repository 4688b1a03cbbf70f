"""The accounts' KPI status (specs/finance.md), written by finance.metrics after creators'
figures. Every test runs the portable ORM path; on PostgreSQL also the raw SQL path."""

from datetime import UTC, datetime

import pytest

from creators.models import Account, KpiStatus
from finance.metrics import account_figures_recompute
from posts.choices import TrialStatus
from tests.creators.factories import AccountFactory
from tests.finance.factories import FinanceItemFactory
from tests.posts.factories import PostFactory

pytestmark = pytest.mark.django_db


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture(
    params=[
        "orm",
        pytest.param("sql", marks=pytest.mark.postgresql_only),
    ]
)
def recompute(request):
    """`recompute(account, now=…)`: run the recompute with the method under test, reload."""

    def run(account: Account, *, now: datetime) -> Account:
        account_figures_recompute(account_ids=[account.pk], now=now, method=request.param)
        return Account.objects.get(pk=account.pk)

    return run


# --- KPI status -------------------------------------------------------------------------------

APRIL_HALF = utc("2026-04-16 00:00")  # 15 of April's 30 days: half the month


def test_an_account_without_a_target_has_no_target(recompute):
    no_item = AccountFactory()
    no_volume = AccountFactory(finance_item=FinanceItemFactory())
    zero = AccountFactory(finance_item=FinanceItemFactory(expected_monthly_posting_volume=0))

    for account in (no_item, no_volume, zero):
        assert recompute(account, now=APRIL_HALF).kpi_status == KpiStatus.NO_TARGET


@pytest.mark.parametrize(("posts", "status"), [(5, KpiStatus.ON_TRACK), (4, KpiStatus.BEHIND)])
def test_the_kpi_compares_the_volume_with_the_elapsed_part_of_the_target(recompute, posts, status):
    item = FinanceItemFactory(expected_monthly_posting_volume=10)
    account = AccountFactory(finance_item=item)
    elsewhere = AccountFactory()
    # Counted: this account's posts, and another account's post that names the item itself.
    for _ in range(posts - 1):
        PostFactory(account=account, post_date=utc("2026-04-03"))
    PostFactory(account=elsewhere, finance_item=item, post_date=utc("2026-04-10"))
    # Not counted: a post paid through another item, a trial, last month's post.
    PostFactory(account=account, finance_item=FinanceItemFactory(), post_date=utc("2026-04-05"))
    PostFactory(
        account=account,
        post_date=utc("2026-04-05"),
        is_trial=True,
        trial_status=TrialStatus.PENDING,
    )
    PostFactory(account=account, post_date=utc("2026-03-30"))

    assert recompute(account, now=APRIL_HALF).kpi_status == status


def test_at_the_start_of_the_month_every_target_is_on_track(recompute):
    account = AccountFactory(finance_item=FinanceItemFactory(expected_monthly_posting_volume=30))

    assert recompute(account, now=utc("2026-04-01 00:00")).kpi_status == KpiStatus.ON_TRACK
    assert recompute(account, now=utc("2026-04-01 02:00")).kpi_status == KpiStatus.BEHIND
