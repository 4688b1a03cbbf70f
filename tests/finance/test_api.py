import csv
import io
from datetime import date
from decimal import Decimal

import pytest

from finance.choices import StatementStatus
from finance.models import PayoutStatement
from finance.services import finance_statements_recompute
from tests.creators.factories import AccountFactory
from tests.finance.factories import FinanceItemFactory, PayoutStatementFactory
from tests.finance.test_statements import APRIL_5, post

pytestmark = pytest.mark.django_db

BASE = "/api/v1/finance"


def test_items_list_and_create(api):
    item = FinanceItemFactory(code="FIN-0001")
    AccountFactory(finance_item=item)
    answer = api.get(f"{BASE}/items/?search=fin-00")
    assert answer.status_code == 200
    assert [row["code"] for row in answer.json()["results"]] == ["FIN-0001"]
    created = api.post(
        f"{BASE}/items/",
        {"code": "FIN-0002", "payee_name": "Ana", "base_monthly_pay": "1000.00"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["currency"] == "USD"
    assert api.delete(f"{BASE}/items/{item.pk}/").status_code == 405


def test_statements_filter_by_month_and_status(api):
    march = PayoutStatementFactory(month=date(2026, 3, 1))
    PayoutStatementFactory(month=date(2026, 2, 1))
    PayoutStatementFactory(month=date(2026, 3, 1), status=StatementStatus.PAID)
    answer = api.get(f"{BASE}/statements/?month=2026-03&status=draft")
    assert answer.status_code == 200
    rows = answer.json()["results"]
    assert [row["id"] for row in rows] == [march.pk]
    assert rows[0]["month"] == "2026-03" and rows[0]["amount_due"] == "100.00"
    bad = api.get(f"{BASE}/statements/?month=2026-13")
    assert bad.status_code == 400
    assert "month" in bad.json()["error"]["fields"]


def test_statement_actions(api):
    s = PayoutStatementFactory()
    url = f"{BASE}/statements/{s.pk}"
    answer = api.post(f"{url}/adjust/", {"amount": "-10.50", "reason": "late"}, format="json")
    assert answer.status_code == 200 and answer.json()["amount_due"] == "89.50"
    no_reason = api.post(f"{url}/adjust/", {"amount": "1"}, format="json")
    assert no_reason.status_code == 400
    too_early = api.post(f"{url}/mark-paid/", {}, format="json")
    assert too_early.status_code == 400
    assert too_early.json()["error"]["code"] == "invalid_status"
    assert "Cannot pay" in too_early.json()["error"]["message"]
    assert api.post(f"{url}/approve/").json()["status"] == "approved"
    paid = api.post(
        f"{url}/mark-paid/", {"amount": "50", "method": "Wise", "reference": "R1"}, format="json"
    ).json()
    assert (paid["status"], paid["paid_amount"], paid["balance"]) == (
        "partially_paid",
        "50.00",
        "39.50",
    )
    assert [e["kind"] for e in paid["events"]] == ["adjusted", "approved", "paid"]
    assert paid["events"][-1]["actor"] == "staff"
    void = api.post(f"{url}/void/", {}, format="json")
    assert void.status_code == 400


def test_breakdown_and_export(api):
    item = FinanceItemFactory(code="FIN-0009", rate_per_1k_views=Decimal("2"))
    account = AccountFactory(finance_item=item)
    post(account, "2026-03-02", [("2026-03-03", 1_500)])
    post(account, "2026-03-03", [("2026-03-04", 500)])
    finance_statements_recompute(now=APRIL_5)
    answer = api.get(f"{BASE}/items/{item.pk}/breakdown/?month=2026-03")
    assert answer.status_code == 200
    data = answer.json()
    assert (data["views_generated"], data["variable"], data["adds_up"]) == (2000, "4.00", True)
    assert [row["variable_share"] for row in data["rows"]] == ["3.00", "1.00"]
    export = api.get(f"{BASE}/statements/export.csv?month=2026-03")
    assert export.status_code == 200 and export["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(export.content.decode())))
    assert [(r["finance_item"], r["amount_due"], r["views_generated"]) for r in rows] == [
        ("FIN-0009", "4.00", "2000")
    ]
    assert api.get(f"{BASE}/statements/export.csv").status_code == 400
    csv_accept = api.get(f"{BASE}/statements/export.csv?month=2026-03", HTTP_ACCEPT="text/csv")
    assert csv_accept.status_code == 200


def test_recompute_on_demand(api):
    FinanceItemFactory()
    answer = api.post(f"{BASE}/statements/recompute/")
    assert answer.status_code == 200 and answer.json()["created"] == 2
    assert PayoutStatement.objects.count() == 2


def test_anonymous_is_refused(client):
    assert client.get(f"{BASE}/statements/").status_code in (401, 403)
