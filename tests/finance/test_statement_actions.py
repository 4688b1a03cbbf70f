"""Adjust (signed amount, required reason) and void from the statement's page and the payments
board, through finance.services; the statement page has no Save button; money and counts are
formatted with thousands separators and the currency."""

from decimal import Decimal

import pytest
from django.urls import reverse

from finance.choices import EventKind, StatementStatus
from tests.finance.factories import PayoutStatementFactory

pytestmark = pytest.mark.django_db

BOARD = "/admin/finance/payoutstatement/board/?month=2026-03"


@pytest.fixture
def draft(db):
    return PayoutStatementFactory(
        finance_item__code="FIN-0042",
        posting_volume=1234,
        expected_posting_volume=1500,
        views_generated=1_250_000,
        base=Decimal("800.00"),
        variable=Decimal("2500.00"),
        computed=Decimal("3300.00"),
        amount_due=Decimal("3300.00"),
    )


@pytest.fixture
def finance_client(client, role_user):
    client.force_login(role_user("Finance"))
    return client


def change_url(statement) -> str:
    return reverse("admin:finance_payoutstatement_change", args=[statement.pk])


def test_a_statement_is_adjusted_from_its_page(finance_client, draft):
    page = finance_client.get(change_url(draft)).content.decode()
    adjust = reverse("admin:finance_adjust", args=[draft.pk]) + "?from=statement"
    assert adjust in page

    answer = finance_client.post(adjust, {"amount": "-100.00", "reason": "late delivery"})

    assert answer.status_code == 302 and answer["Location"] == change_url(draft)
    draft.refresh_from_db()
    assert (draft.adjustment, draft.adjustment_reason, draft.amount_due) == (
        Decimal("-100.00"),
        "late delivery",
        Decimal("3200.00"),
    )
    assert draft.events.filter(kind=EventKind.ADJUSTED).exists()


def test_an_adjustment_without_a_reason_is_refused_on_the_form(finance_client, draft):
    adjust = reverse("admin:finance_adjust", args=[draft.pk])
    answer = finance_client.post(adjust, {"amount": "-100.00", "reason": "  "})
    assert answer.status_code == 200 and "This field is required." in answer.content.decode()
    draft.refresh_from_db()
    assert draft.amount_due == Decimal("3300.00")


def test_a_statement_is_voided_from_the_board(finance_client, draft):
    board = finance_client.get(BOARD).content.decode()
    void = reverse("admin:finance_void", args=[draft.pk])
    assert void in board and reverse("admin:finance_adjust", args=[draft.pk]) in board

    answer = finance_client.post(void, {"reason": "wrong item"})

    assert answer.status_code == 302
    draft.refresh_from_db()
    assert (draft.status, draft.void_reason) == (StatementStatus.VOID, "wrong item")


def test_a_paid_statement_offers_neither_adjust_nor_void(finance_client, draft):
    draft.status = StatementStatus.PAID
    draft.save()
    page = finance_client.get(change_url(draft)).content.decode()
    assert 'id="adjust-statement"' not in page and 'id="void-statement"' not in page
    refused = finance_client.post(reverse("admin:finance_void", args=[draft.pk]), {"reason": "x"})
    assert refused.status_code == 200 and "Cannot void" in refused.content.decode()


def test_the_statement_page_has_no_save_button_and_formats_money(finance_client, draft):
    page = finance_client.get(change_url(draft)).content.decode()
    assert 'name="_save"' not in page and 'name="_continue"' not in page
    assert "3,300.00 USD" in page and "2,500.00 USD" in page
    assert "1,250,000" in page and "1,234 / 1,500" in page


def test_the_statements_changelist_formats_money(finance_client, draft):
    page = finance_client.get(reverse("admin:finance_payoutstatement_changelist"))
    assert "3,300.00 USD" in page.content.decode()
