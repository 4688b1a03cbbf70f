"""Amounts stay within what the columns hold (14 digits, 2 after the point): an adjustment
that would make the amount due too large is refused, and the largest payment is stored and
read back (the item's "paid amount" column is as wide as the statement's)."""

from decimal import Decimal

from finance.models import FinanceItem, PayoutStatement
from tests.finance.factories import PayoutStatementFactory

API = "/api/v1/finance"
LARGEST = Decimal("999999999999.99")


def test_an_adjustment_past_the_largest_amount_due_is_refused(api):
    statement = PayoutStatementFactory(computed=Decimal("100.00"), amount_due=Decimal("100.00"))

    response = api.post(
        f"{API}/statements/{statement.pk}/adjust/",
        {"amount": "999999999999.99", "reason": "typo"},
    )

    assert response.status_code == 400
    assert "amount" in response.json()["error"]["fields"]
    statement.refresh_from_db()
    assert statement.amount_due == Decimal("100.00")


def test_the_largest_payment_is_stored_and_the_item_still_reads(api):
    statement = PayoutStatementFactory(
        status="approved", computed=LARGEST, amount_due=LARGEST, base=LARGEST
    )

    paid = api.post(f"{API}/statements/{statement.pk}/mark-paid/", {})

    assert paid.status_code == 200
    assert PayoutStatement.objects.get(pk=statement.pk).paid_amount == LARGEST
    item = api.get(f"{API}/items/{statement.finance_item_id}/")
    assert item.status_code == 200
    assert FinanceItem.objects.get(pk=statement.finance_item_id).paid_amount == LARGEST
