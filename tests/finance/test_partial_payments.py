"""A partial payment leaves the statement partially paid, with its balance: on the board, in the
CSV, in the changelist and the API, and as a filter (the FilterSet shared by both)."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from core.errors import DomainError
from finance.choices import StatementStatus
from finance.services import statement_mark_paid, statement_void
from tests.finance.factories import PayoutStatementFactory
from tests.utils import key_client

pytestmark = pytest.mark.django_db

BOARD = "/admin/finance/payoutstatement/board/"


@pytest.fixture
def partly_paid(staff):
    s = PayoutStatementFactory(
        status=StatementStatus.APPROVED,
        computed=Decimal("3200.00"),
        amount_due=Decimal("3200.00"),
        finance_item__code="FIN-0042",
    )
    return statement_mark_paid(statement=s, user=staff, amount="1444.30")


@pytest.fixture
def settled(staff):
    s = PayoutStatementFactory(
        status=StatementStatus.APPROVED, finance_item__code="FIN-0043", amount_due=Decimal("50")
    )
    return statement_mark_paid(statement=s, user=staff)


def test_a_partial_payment_leaves_the_statement_partially_paid_with_its_balance(partly_paid):
    assert partly_paid.status == StatementStatus.PARTIALLY_PAID
    assert partly_paid.get_status_display() == "Partially paid"
    assert partly_paid.balance == Decimal("1755.70")


def test_paying_the_rest_makes_it_paid(partly_paid, staff):
    s = statement_mark_paid(statement=partly_paid, user=staff)
    assert (s.status, s.balance, s.paid_amount) == (
        StatementStatus.PAID,
        Decimal("0.00"),
        Decimal("3200.00"),
    )


def test_a_partially_paid_statement_cannot_be_voided(partly_paid, staff):
    with pytest.raises(DomainError):
        statement_void(statement=partly_paid, user=staff, reason="oops")


def test_the_board_and_its_csv_say_partially_paid_with_the_balance(superuser_client, partly_paid):
    html = superuser_client.get(f"{BOARD}?month=2026-03").content.decode()
    assert 'data-status="partially_paid"' in html
    assert "Partially paid" in html and "1,755.70" in html
    assert 'co-status-paid"' not in html
    export = superuser_client.get(f"{BOARD}?month=2026-03&format=csv").content.decode()
    row = next(csv.DictReader(io.StringIO(export)))
    assert (row["status"], row["balance"]) == ("partially_paid", "1755.70")


def test_the_board_still_offers_to_record_the_rest(superuser_client, partly_paid):
    html = superuser_client.get(f"{BOARD}?month=2026-03").content.decode()
    assert reverse("admin:finance_mark_paid", args=[partly_paid.pk]) in html


def test_the_api_filters_statements_with_a_balance(staff, partly_paid, settled):
    client = key_client(staff)
    owing = client.get("/api/v1/finance/statements/", {"has_balance": "true"}).json()
    assert [(r["finance_item_code"], r["balance"]) for r in owing["results"]] == [
        ("FIN-0042", "1755.70")
    ]
    assert owing["results"][0]["status"] == "partially_paid"
    cleared = client.get("/api/v1/finance/statements/", {"has_balance": "false"}).json()
    assert [r["finance_item_code"] for r in cleared["results"]] == ["FIN-0043"]


def test_the_changelist_shows_and_filters_the_balance(superuser_client, partly_paid, settled):
    changelist = reverse("admin:finance_payoutstatement_changelist")
    plain = superuser_client.get(changelist)
    html = plain.content.decode()
    assert "has balance" in html.lower() and "1,755.70" in html
    filtered = superuser_client.get(changelist, {"has_balance": "true"})
    assert [s.pk for s in filtered.context["cl"].result_list] == [partly_paid.pk]
