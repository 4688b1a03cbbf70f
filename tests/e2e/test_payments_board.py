"""The payments board in a real browser: approve a statement, then record a partial payment."""

from decimal import Decimal

import pytest

from finance.choices import StatementStatus
from finance.models import PayoutStatement
from finance.queries import default_board_month
from tests.creators.factories import AccountFactory
from tests.finance.factories import FinanceItemFactory, PayoutStatementFactory
from tests.settings_app.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_approve_and_mark_paid_on_the_board(page, live_server, admin_login, screenshot):
    user = UserFactory(username="finance", is_staff=True, is_superuser=True)
    item = FinanceItemFactory(
        code="FIN-0042",
        payee_name="Ana Clips",
        payment_method="Wise",
        expected_monthly_posting_volume=30,
    )
    AccountFactory.create_batch(2, finance_item=item)
    statement = PayoutStatementFactory(
        finance_item=item,
        month=default_board_month(),
        posting_volume=24,
        expected_posting_volume=30,
        views_generated=1_250_000,
        base=Decimal("800.00"),
        variable=Decimal("2500.00"),
        computed=Decimal("3300.00"),
        adjustment=Decimal("-100.00"),
        adjustment_reason="late delivery",
        amount_due=Decimal("3200.00"),
    )
    admin_login(page, live_server, user)

    page.click("text=Payments board")  # linked from the admin index, under Finance
    row = page.locator("tr.statement-row[data-code='FIN-0042']")
    assert row.get_attribute("data-status") == "draft"
    assert "24 / 30" in row.inner_text()
    row.get_by_role("button", name="Approve").click()
    page.wait_for_selector("tr.statement-row[data-status='approved']")
    assert "1 statement(s) approved." in page.inner_text("ul.messagelist")

    page.locator("tr.statement-row[data-code='FIN-0042']").get_by_role(
        "link", name="Mark paid"
    ).click()
    assert page.input_value("#id_amount") == "3200.00"
    assert page.input_value("#id_method") == "Wise"
    page.fill("#id_amount", "3000")
    page.fill("#id_reference", "WISE-7781")
    page.click("text=Record payment")
    page.wait_for_selector("tr.statement-row[data-status='partially_paid']")
    row = page.locator("tr.statement-row[data-code='FIN-0042']")
    assert "Partially paid" in row.inner_text()
    assert "200.00" in row.inner_text()  # the remaining balance
    assert "balance 200.00" in page.inner_text("ul.messagelist")
    screenshot(page, "payments_board_paid")

    statement = PayoutStatement.objects.get(pk=statement.pk)
    assert (statement.status, statement.paid_amount, statement.payment_reference) == (
        StatementStatus.PARTIALLY_PAID,
        Decimal("3000.00"),
        "WISE-7781",
    )
    assert (statement.approved_by, statement.paid_by) == (user, user)
    item.refresh_from_db()
    assert item.paid_amount == Decimal("3000.00") and item.last_paid_date is not None
