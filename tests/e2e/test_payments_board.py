"""The payments board in a real browser: approve a statement, then record a partial payment."""

from decimal import Decimal
from pathlib import Path

import pytest

from finance.choices import StatementStatus
from finance.models import PayoutStatement
from finance.queries import default_board_month
from tests.creators.factories import AccountFactory
from tests.finance.factories import FinanceItemFactory, PayoutStatementFactory
from tests.settings_app.factories import UserFactory

SHOTS = Path("/tmp/shots-16")

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


def test_the_board_fits_1440_pixels_for_finance_staff(page, live_server, admin_login):
    user = UserFactory(username="finance-staff", is_staff=True, roles=["Finance"])
    month = default_board_month()
    statuses = [
        StatementStatus.DRAFT,
        StatementStatus.APPROVED,
        StatementStatus.PARTIALLY_PAID,
        StatementStatus.PAID,
        StatementStatus.VOID,
    ]
    for n, status in enumerate(statuses * 2):
        item = FinanceItemFactory(
            code=f"FIN-{1000 + n}",
            payee_name=f"Alexandra Montgomery-Fitzgerald Creative Studio {n}",
            expected_monthly_posting_volume=1_500,
        )
        PayoutStatementFactory(
            finance_item=item,
            month=month,
            status=status,
            posting_volume=1_234,
            expected_posting_volume=1_500,
            views_generated=123_456_789,
            base=Decimal("123456.78"),
            variable=Decimal("246913.58"),
            computed=Decimal("370370.36"),
            adjustment=Decimal("-12345.67"),
            adjustment_reason="late delivery",
            amount_due=Decimal("358024.69"),
            paid_amount={
                StatementStatus.PARTIALLY_PAID: Decimal("100000.00"),
                StatementStatus.PAID: Decimal("358024.69"),
            }.get(status, Decimal("0.00")),
        )
    page.set_viewport_size({"width": 1440, "height": 900})
    admin_login(page, live_server, user)

    page.goto(f"{live_server.url}/admin/finance/payoutstatement/board/?month={month:%Y-%m}")

    assert page.locator("tr.statement-row").count() == 10
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, window.innerWidth,"
        " document.querySelector('#payments-board').getBoundingClientRect().right]"
    )
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "payments_board_finance_1440.png"), full_page=True)
    scroll_width, viewport, table_right = widths
    assert scroll_width <= viewport and table_right <= viewport, widths

    # The statement's page: formatted figures, the actions as links, no Save button.
    page.locator("tr.statement-row[data-code='FIN-1000'] td.co-item a").click()
    assert page.locator("input[name=_save]").count() == 0
    assert "358,024.69 USD" in page.inner_text("#content-main")
    page.screenshot(path=str(SHOTS / "statement_page_finance_1440.png"), full_page=True)
    page.click("#adjust-statement")
    page.fill("#id_amount", "-100.00")
    page.fill("#id_reason", "late delivery")
    page.screenshot(path=str(SHOTS / "statement_adjust_finance_1440.png"), full_page=True)
    page.click("input[type=submit][value=Adjust]")
    assert "adjusted" in page.inner_text("ul.messagelist")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 1440


def test_an_out_of_date_draft_is_recomputed_from_its_breakdown(page, live_server, admin_login):
    from finance.services import finance_statements_recompute
    from tests.finance.test_statements import APRIL_5, post

    user = UserFactory(username="finance-staff", is_staff=True, roles=["Finance"])
    item = FinanceItemFactory(code="FIN-0077", rate_per_1k_views=Decimal("2"))
    account = AccountFactory(finance_item=item)
    post(account, "2026-03-02", [("2026-03-03", 1_500)])
    finance_statements_recompute(now=APRIL_5)
    post(account, "2026-03-20", [("2026-03-21", 3_500)])
    page.set_viewport_size({"width": 1440, "height": 900})
    admin_login(page, live_server, user)

    page.goto(
        f"{live_server.url}/admin/finance/payoutstatement/board/breakdown/{item.pk}/?month=2026-03"
    )
    assert "frozen" not in page.inner_text("#content-main")
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "breakdown_stale_draft_finance_1440.png"), full_page=True)
    page.get_by_role("button", name="Recompute the draft now").click()

    assert "recomputed" in page.inner_text("ul.messagelist")
    assert page.locator("#stale-draft").count() == 0
    assert (
        PayoutStatement.objects.get(finance_item=item, month="2026-03-01").views_generated == 5_000
    )
