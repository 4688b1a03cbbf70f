"""The statement lifecycle: approve, adjust, mark paid, void; each recorded as an event."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from core.errors import DomainError
from finance.choices import EventKind, StatementStatus
from finance.services import (
    statement_adjust,
    statement_approve,
    statement_mark_paid,
    statement_void,
)
from tests.finance.factories import FinanceItemFactory, PayoutStatementFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 4, 5, 23, 30, tzinfo=UTC)


@pytest.fixture
def draft():
    return PayoutStatementFactory(
        finance_item=FinanceItemFactory(payment_method="Wise"),
        computed=Decimal("3300.00"),
        amount_due=Decimal("3300.00"),
    )


def kinds(statement):
    return list(statement.events.values_list("kind", "actor__username"))


def test_approve_then_pay_in_two_parts(draft, staff, settings):
    settings.TIME_ZONE = "Asia/Tokyo"  # 2026-04-06 08:30 there
    s = statement_approve(statement=draft, user=staff, now=NOW)
    assert (s.status, s.approved_by, s.approved_at) == (StatementStatus.APPROVED, staff, NOW)
    s = statement_mark_paid(
        statement=s, user=staff, amount="1000.00", method="", reference="TX-1", now=NOW
    )
    assert (s.status, s.paid_amount, s.balance) == (
        StatementStatus.PARTIALLY_PAID,
        Decimal("1000.00"),
        Decimal("2300.00"),
    )
    assert (s.payment_method, s.payment_reference, s.paid_by) == ("Wise", "TX-1", staff)
    item = s.finance_item
    item.refresh_from_db()
    assert (item.last_paid_date, item.paid_amount) == (date(2026, 4, 6), Decimal("1000.00"))
    with pytest.raises(DomainError, match="more than the balance"):
        statement_mark_paid(statement=s, user=staff, amount="2300.01")
    s = statement_mark_paid(statement=s, user=staff, method="Bank", reference="TX-2")
    assert (s.status, s.paid_amount, s.balance, s.payment_method) == (
        StatementStatus.PAID,
        Decimal("3300.00"),
        Decimal("0.00"),
        "Bank",
    )
    item.refresh_from_db()
    assert item.paid_amount == Decimal("3300.00")
    with pytest.raises(DomainError, match="already paid in full"):
        statement_mark_paid(statement=s, user=staff)
    assert kinds(s) == [
        (EventKind.APPROVED, "staff"),
        (EventKind.PAID, "staff"),
        (EventKind.PAID, "staff"),
    ]
    amounts = list(s.events.filter(kind=EventKind.PAID).values_list("amount", flat=True))
    assert amounts == [Decimal("1000.00"), Decimal("2300.00")]


def test_a_draft_cannot_be_paid_and_amounts_are_checked(draft, staff):
    with pytest.raises(DomainError, match=r"Cannot pay .* it is draft"):
        statement_mark_paid(statement=draft, user=staff)
    statement_approve(statement=draft, user=staff)
    for amount in ("0", "-5", "abc"):
        with pytest.raises(DomainError):
            statement_mark_paid(statement=draft, user=staff, amount=amount)
    with pytest.raises(DomainError, match="not an amount"):
        statement_mark_paid(statement=draft, user=staff, amount=1.5)  # never a float


def test_adjust_needs_a_reason_and_sends_an_approved_statement_back_to_draft(draft, staff):
    with pytest.raises(DomainError, match="reason"):
        statement_adjust(statement=draft, user=staff, amount="-100", reason="  ")
    statement_approve(statement=draft, user=staff)
    s = statement_adjust(statement=draft, user=staff, amount="-100.005", reason="late delivery")
    assert (s.adjustment, s.amount_due, s.status, s.approved_by) == (
        Decimal("-100.01"),
        Decimal("3199.99"),
        StatementStatus.DRAFT,
        None,
    )
    event = s.events.get(kind=EventKind.ADJUSTED)
    assert (event.from_status, event.to_status, event.amount, event.note, event.amount_due) == (
        "approved",
        "draft",
        Decimal("-100.01"),
        "late delivery",
        Decimal("3199.99"),
    )


def test_invalid_transitions(draft, staff):
    with pytest.raises(DomainError, match="Cannot approve"):
        statement_approve(statement=statement_approve(statement=draft, user=staff), user=staff)
    statement_mark_paid(statement=draft, user=staff, amount="10")
    for action in (statement_void, statement_approve):
        with pytest.raises(DomainError, match="it is partially paid"):
            action(statement=draft, user=staff)
    with pytest.raises(DomainError, match="Cannot adjust"):
        statement_adjust(statement=draft, user=staff, amount="1", reason="x")


def test_void_keeps_the_row(draft, staff):
    s = statement_void(statement=draft, user=staff, reason="wrong item", now=NOW)
    assert (s.status, s.voided_by, s.voided_at, s.balance) == (
        StatementStatus.VOID,
        staff,
        NOW,
        Decimal("0.00"),
    )
    for action in (statement_approve, statement_void, statement_mark_paid):
        with pytest.raises(DomainError, match="it is void"):
            action(statement=s, user=staff)
    assert kinds(s) == [(EventKind.VOIDED, "staff")]
