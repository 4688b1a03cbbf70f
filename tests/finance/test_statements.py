"""Statements of specs/finance.md computed by the payments job (finance_statements_recompute)."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from creators.models import KpiStatus
from finance.amounts import allocate, round_half_up, statement_amounts
from finance.choices import EventKind, StatementStatus
from finance.models import PayoutStatement
from finance.queries import statement_breakdown
from finance.services import (
    finance_statements_recompute,
    statement_adjust,
    statement_approve,
    statement_mark_paid,
)
from tests.creators.factories import AccountFactory
from tests.finance.factories import FinanceItemFactory
from tests.posts.factories import PostFactory, PostSnapshotFactory

pytestmark = pytest.mark.django_db

MARCH = date(2026, 3, 1)
APRIL_5 = datetime(2026, 4, 5, 12, 0, tzinfo=UTC)  # March is closed, April running


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def post(account=None, published="2026-03-10", history=(), **fields):
    p = PostFactory(account=account, post_date=utc(published) if published else None, **fields)
    for moment, views in history:
        PostSnapshotFactory(post=p, captured_at=utc(moment), views=views)
    return p


def recompute(now=APRIL_5, **kwargs):
    return finance_statements_recompute(now=now, **kwargs)


def statement(item, month=MARCH) -> PayoutStatement:
    return PayoutStatement.objects.get(finance_item=item, month=month)


@pytest.fixture
def fin7():
    """The spec's worked example: 24 counted posts and 1 250 000 views in March."""
    item = FinanceItemFactory(
        code="FIN-7",
        base_monthly_pay=Decimal("1000.00"),
        expected_monthly_posting_volume=30,
        rate_per_1k_views=Decimal("2.00"),
        prorate_by_volume=True,
        started_date=date(2026, 1, 15),
    )
    account = AccountFactory(finance_item=item)
    first = post(account, "2026-03-01 10:00", [("2026-03-01 20:00", 50_000)])
    for day in range(2, 24):
        post(account, f"2026-03-{day:02d} 10:00", [(f"2026-03-{day:02d} 20:00", 50_000)])
    # Published in February, it gained 100 000 in March; it is not in March's volume.
    post(account, "2026-02-20", [("2026-02-21", 1_000), ("2026-03-31 23:00", 101_000)])
    # The 24th March post is the post's own item, on another item's account.
    other = AccountFactory(finance_item=FinanceItemFactory())
    post(other, "2026-03-28", [("2026-03-29", 0)], finance_item=item)
    # Never counted: a trial post; a post of the account given to another item; April's growth.
    post(account, "2026-03-05", [("2026-03-06", 999_999)], is_trial=True, trial_status="pending")
    post(account, "2026-03-06", [("2026-03-07", 777_777)], finance_item=FinanceItemFactory())
    PostSnapshotFactory(post=first, captured_at=utc("2026-04-02"), views=900_000)
    return item


def test_the_worked_example_to_the_cent(fin7, staff):
    report = recompute()
    assert report.months == ["2026-03", "2026-04"]
    s = statement(fin7)
    assert (s.posting_volume, s.views_generated) == (24, 1_250_000)
    assert s.kpi_status == KpiStatus.MISSED
    assert (s.base, s.variable, s.computed) == (
        Decimal("800.00"),
        Decimal("2500.00"),
        Decimal("3300.00"),
    )
    assert s.amount_due == Decimal("3300.00") and s.status == StatementStatus.DRAFT
    s = statement_adjust(statement=s, user=staff, amount="-100.00", reason="late delivery")
    assert s.amount_due == Decimal("3200.00")
    # A later run keeps the adjustment of a draft.
    recompute()
    s.refresh_from_db()
    assert (s.computed, s.adjustment, s.amount_due) == (
        Decimal("3300.00"),
        Decimal("-100.00"),
        Decimal("3200.00"),
    )
    assert s.adjustment_reason == "late delivery"


def test_the_current_month_is_on_track_or_behind_and_ends_at_now(fin7):
    recompute()
    april = statement(fin7, date(2026, 4, 1))
    # 4.5 days of 30 passed: the target so far is 4.5 posts; none were published in April.
    assert april.kpi_status == KpiStatus.BEHIND
    assert april.posting_volume == 0
    assert april.views_generated == 900_000 - 50_000  # the April snapshot, up to now


def test_a_met_target_and_no_volume_proration_above_it():
    item = FinanceItemFactory(
        base_monthly_pay=Decimal("500"), expected_monthly_posting_volume=2, prorate_by_volume=True
    )
    account = AccountFactory(finance_item=item)
    for day in (2, 3, 4):
        post(account, f"2026-03-{day:02d}")
    recompute()
    s = statement(item)
    assert (s.kpi_status, s.posting_volume, s.base) == (KpiStatus.MET, 3, Decimal("500.00"))


def test_proration_by_start_date():
    item = FinanceItemFactory(base_monthly_pay=Decimal("3100.00"), started_date=date(2026, 3, 15))
    later = FinanceItemFactory(base_monthly_pay=Decimal("3100.00"), started_date=date(2026, 4, 1))
    recompute()
    # 15th to 31st, both included: 17 of 31 days.
    assert statement(item).base == Decimal("1700.00")
    # Started after March: no March statement; April's is whole.
    assert not PayoutStatement.objects.filter(finance_item=later, month=MARCH).exists()
    assert statement(later, date(2026, 4, 1)).base == Decimal("3100.00")
    assert statement(item, date(2026, 4, 1)).base == Decimal("3100.00")


def test_a_month_with_no_target():
    for expected in (None, 0):
        item = FinanceItemFactory(
            base_monthly_pay=Decimal("1000"),
            expected_monthly_posting_volume=expected,
            prorate_by_volume=True,
        )
        post(AccountFactory(finance_item=item), "2026-03-03")
        recompute(item_ids=[item.pk])
        s = statement(item)
        assert s.kpi_status == KpiStatus.NO_TARGET
        assert (s.posting_volume, s.base, s.amount_due) == (
            1,
            Decimal("1000.00"),
            Decimal("1000.00"),
        )


def test_negative_view_corrections_count_as_0_in_the_variable():
    item = FinanceItemFactory(rate_per_1k_views=Decimal("3.00"))
    account = AccountFactory(finance_item=item)
    post(account, "2026-02-01", [("2026-02-02", 10_000), ("2026-03-15", 4_000)])
    post(account, "2026-03-02", [("2026-03-03", 1_000)])
    recompute()
    s = statement(item)
    assert s.views_generated == -5_000  # kept as it is
    assert (s.variable, s.amount_due) == (Decimal("0.00"), Decimal("0.00"))
    # Not clipped per post either: the sum is what counts.
    post(account, "2026-03-04", [("2026-03-05", 8_000)])
    recompute()
    s = statement(item)
    assert (s.views_generated, s.variable) == (3_000, Decimal("9.00"))


def test_rounding_is_half_up():
    item = FinanceItemFactory(rate_per_1k_views=Decimal("1.0000"))
    post(AccountFactory(finance_item=item), "2026-03-02", [("2026-03-03", 12_345)])
    recompute()
    s = statement(item)
    assert (s.variable, s.computed) == (Decimal("12.35"), Decimal("12.35"))  # not 12.34
    assert round_half_up(Decimal("0.125")) == Decimal("0.13")
    assert round_half_up(Decimal("-0.125")) == Decimal("-0.13")
    # computed rounds the sum of the exact amounts: 1000 * 17/31 = 548.387…, + 0.005.
    amounts = statement_amounts(
        base_monthly_pay=Decimal("1000"),
        started_date=date(2026, 3, 15),
        month=MARCH,
        prorate_by_volume=False,
        expected=None,
        posting_volume=0,
        rate_per_1k_views=Decimal("0.0010"),
        views_generated=5_000,
    )
    assert (amounts.base, amounts.variable, amounts.computed) == (
        Decimal("548.39"),
        Decimal("0.01"),
        Decimal("548.39"),
    )


def test_a_paid_statement_is_untouched_by_new_snapshots(fin7, staff):
    recompute()
    s = statement_approve(statement=statement(fin7), user=staff)
    recompute()
    assert statement(fin7).updated_at == s.updated_at
    statement_mark_paid(statement=s, user=staff, method="wise", reference="T-1")
    frozen = statement(fin7)
    p = fin7.accounts.get().posts.filter(is_trial=False).order_by("pk").first()
    PostSnapshotFactory(post=p, captured_at=utc("2026-03-30"), views=5_000_000)
    post(fin7.accounts.get(), "2026-03-30")
    report = recompute(now=utc("2026-04-20"))
    assert report.frozen == 1
    s = statement(fin7)
    assert (s.posting_volume, s.views_generated, s.amount_due, s.status, s.updated_at) == (
        24,
        1_250_000,
        Decimal("3300.00"),
        StatementStatus.PAID,
        frozen.updated_at,
    )
    # The breakdown shows that later data no longer matches the frozen figures.
    assert not statement_breakdown(fin7, MARCH, now=utc("2026-04-20")).adds_up


def test_a_draft_is_recomputed_with_new_snapshots(fin7):
    recompute()
    post(fin7.accounts.get(), "2026-03-30", [("2026-03-31", 250_000)])
    report = recompute()
    assert report.created == 0 and report.updated >= 2
    s = statement(fin7)
    assert (s.posting_volume, s.views_generated) == (25, 1_500_000)
    assert s.events.filter(kind=EventKind.CREATED).count() == 1


def test_the_breakdown_adds_up_to_the_statement():
    item = FinanceItemFactory(rate_per_1k_views=Decimal("1.2345"))
    account = AccountFactory(finance_item=item)
    post(account, "2026-03-02", [("2026-03-03", 1_001)])
    post(account, "2026-03-03", [("2026-03-04", 1_003)])
    post(account, "2026-03-04", [("2026-03-05", 997)])
    post(account, "2026-02-04", [("2026-02-05", 100), ("2026-03-05", 50)])  # -50
    post(account, "2026-02-04", [("2026-02-05", 100)])  # no gain: not listed
    recompute()
    s = statement(item)
    breakdown = statement_breakdown(item, MARCH, now=APRIL_5)
    assert len(breakdown.rows) == 4
    assert sum(row.gained for row in breakdown.rows) == s.views_generated == 2_951
    assert sum(row.in_month for row in breakdown.rows) == s.posting_volume == 3
    assert sum(row.variable_share for row in breakdown.rows) == s.variable == Decimal("3.64")
    assert sum(row.share_of_views for row in breakdown.rows) == pytest.approx(1)
    assert breakdown.adds_up


def test_allocate_splits_whole_cents():
    assert allocate(Decimal("1.00"), [1, 1, 1]) == [
        Decimal("0.34"),
        Decimal("0.33"),
        Decimal("0.33"),
    ]
    shares = allocate(Decimal("10.00"), [7, -2, 3])
    assert sum(shares) == Decimal("10.00")


def test_month_boundaries_in_the_agency_time_zone(settings):
    settings.TIME_ZONE = "America/New_York"  # UTC-5 in winter, UTC-4 from 03-08
    item = FinanceItemFactory(rate_per_1k_views=Decimal("1"))
    account = AccountFactory(finance_item=item)
    # Feb 28 22:00 local, tracked at 23:00 local: all its growth was in February.
    post(account, "2026-03-01 03:00", [("2026-03-01 04:00", 1_000)])
    post(account, "2026-03-01 05:30", [("2026-03-01 06:00", 2_000)])  # Mar 1, 00:30 local
    # Mar 31 23:00 local; tracked 1 April 01:00 local: the earliest snapshot is its value at
    # the month's end (rule 3), so March gained it; the 02:00 local one is April's.
    late = post(account, "2026-04-01 03:00", [("2026-04-01 05:00", 4_000)])
    PostSnapshotFactory(post=late, captured_at=utc("2026-04-01 06:00"), views=4_500)
    recompute(now=utc("2026-04-01 12:00"))
    s = statement(item)
    assert s.posting_volume == 2  # 00:30 local on the 1st, 23:00 local on the 31st
    assert s.views_generated == 2_000 + 4_000
    assert statement(item, date(2026, 4, 1)).views_generated == 500
    # Feb 28 22:00 local: February's; its growth was in March (rule 3 gives 1 000 at 03-01).
    feb = PayoutStatement.objects.filter(finance_item=item, month=date(2026, 2, 1))
    assert not feb.exists()  # the job only covers the current and previous month
    recompute(now=utc("2026-03-01 04:30"))  # still February in New York
    feb = statement(item, date(2026, 2, 1))
    assert (feb.posting_volume, feb.views_generated) == (1, 1_000)


def test_void_keeps_the_row_and_the_job_leaves_it(fin7, staff):
    from finance.services import statement_void

    recompute()
    statement_void(statement=statement(fin7), user=staff, reason="duplicate agreement")
    report = recompute()
    assert report.void == 1
    assert statement(fin7).status == StatementStatus.VOID
    assert PayoutStatement.objects.filter(finance_item=fin7, month=MARCH).count() == 1


def test_inactive_items_get_no_new_statement():
    item = FinanceItemFactory(is_active=False)
    recompute()
    assert not PayoutStatement.objects.filter(finance_item=item).exists()
