from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from finance.choices import StatementStatus
from finance.services import finance_statements_recompute
from tests.creators.factories import AccountFactory
from tests.finance.factories import FinanceItemFactory, PayoutStatementFactory
from tests.finance.test_statements import APRIL_5, post

pytestmark = pytest.mark.django_db

BOARD = "/admin/finance/payoutstatement/board/"


def test_the_board_lists_the_month_and_is_linked_from_the_index(superuser_client):
    item = FinanceItemFactory(code="FIN-0042", expected_monthly_posting_volume=30)
    AccountFactory.create_batch(2, finance_item=item)
    PayoutStatementFactory(finance_item=item, posting_volume=24, expected_posting_volume=30)
    PayoutStatementFactory(month=date(2026, 2, 1))
    index = superuser_client.get("/admin/").content.decode()
    assert reverse("admin:finance_payments_board") in index and "Payments board" in index
    page = superuser_client.get(f"{BOARD}?month=2026-03")
    assert page.status_code == 200
    html = page.content.decode()
    assert "FIN-0042" in html and 'style="width:80%"' in html and "24 / 30" in html
    assert html.count('class="row1 statement-row"') + html.count('class="row2 statement-row"') == 1
    # Default: last month, whatever it is.
    assert superuser_client.get(BOARD).status_code == 200
    export = superuser_client.get(f"{BOARD}?month=2026-03&format=csv")
    assert export["Content-Type"].startswith("text/csv") and b"FIN-0042" in export.content


def test_approve_and_mark_paid_from_the_board(superuser_client, superuser):
    s = PayoutStatementFactory(amount_due=Decimal("300.00"))
    answer = superuser_client.post(f"{BOARD}?month=2026-03", {"approve_one": s.pk})
    assert answer.status_code == 302
    s.refresh_from_db()
    assert (s.status, s.approved_by) == (StatementStatus.APPROVED, superuser)
    pay_url = reverse("admin:finance_mark_paid", args=[s.pk])
    form = superuser_client.get(pay_url)
    assert form.status_code == 200 and b'value="300.00"' in form.content
    too_much = superuser_client.post(pay_url, {"amount": "400", "method": "Wise"})
    assert too_much.status_code == 200 and b"At most 300.00" in too_much.content
    done = superuser_client.post(pay_url, {"amount": "100", "method": "Wise", "reference": "R"})
    assert done.status_code == 302
    s.refresh_from_db()
    assert (s.status, s.paid_amount, s.balance) == (
        StatementStatus.PARTIALLY_PAID,
        Decimal("100.00"),
        Decimal("200.00"),
    )
    change = superuser_client.get(reverse("admin:finance_payoutstatement_change", args=[s.pk]))
    assert change.status_code == 200 and b"History" in change.content


def test_breakdown_page_and_finance_table(superuser_client):
    item = FinanceItemFactory(code="FIN-0077", rate_per_1k_views=Decimal("2"))
    account = AccountFactory(finance_item=item)
    post(account, "2026-03-02", [("2026-03-03", 1_500)])
    finance_statements_recompute(now=APRIL_5)
    page = superuser_client.get(
        reverse("admin:finance_breakdown", args=[item.pk]) + "?month=2026-03"
    )
    assert page.status_code == 200 and b"100.00%" in page.content and b"3.00" in page.content
    table = superuser_client.get("/admin/finance/financeitem/?search=FIN-0077")
    html = table.content.decode()
    assert table.status_code == 200 and "FIN-0077" in html and "(2026-04)" in html
    assert superuser_client.get("/admin/finance/payoutstatement/?month=2026-03").status_code == 200
