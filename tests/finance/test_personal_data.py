"""The payees' personal data (settings_app.access) is hidden from analysts on every admin surface,
as it is in the API: columns, forms, the change history, the audit trail, the statement page
and its history, the payments board's mark-paid form and the CSV export."""

import csv
import io
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from core.models import AuditEntry
from finance.models import FinanceItem
from finance.services import finance_item_save, statement_approve, statement_mark_paid
from tests.finance.factories import FinanceItemFactory, PayoutStatementFactory
from tests.settings_app.factories import UserFactory

pytestmark = pytest.mark.django_db

PHONE, DETAILS, METHOD, REFERENCE = "+1 555 0199", "IBAN ZZ99 8888", "wise-transfer", "REF-7731"
SECRETS = (PHONE, DETAILS, METHOD, REFERENCE, "555 0199", "ZZ99")


@pytest.fixture
def paid(db):
    """A finance item whose personal data changed once (in the audit trail), and a statement
    paid by a method and reference."""
    owner = UserFactory(username="owner-fin", roles=["Owner"])
    item = FinanceItemFactory(code="FIN-0500", payment_method="cash")
    item.phone_number, item.payment_details, item.payment_method = PHONE, DETAILS, METHOD
    finance_item_save(
        item=item, actor=owner, fields=["phone_number", "payment_details", "payment_method"]
    )
    statement = PayoutStatementFactory(finance_item=item, amount_due=Decimal("100.00"))
    statement_approve(statement=statement, user=owner)
    statement = statement_mark_paid(
        statement=statement,
        user=owner,
        amount=Decimal("40.00"),
        method=METHOD,
        reference=REFERENCE,
    )
    return {"item": item, "statement": statement}


def _pages(client, paid) -> dict[str, str]:
    item, statement = paid["item"], paid["statement"]
    urls = {
        "item list": reverse("admin:finance_financeitem_changelist"),
        "item page": reverse("admin:finance_financeitem_change", args=[item.pk]),
        "item history": reverse("admin:finance_financeitem_history", args=[item.pk]),
        "statement list": reverse("admin:finance_payoutstatement_changelist"),
        "statement page": reverse("admin:finance_payoutstatement_change", args=[statement.pk]),
        "board": reverse("admin:finance_payments_board") + "?month=2026-03",
        "breakdown": reverse("admin:finance_breakdown", args=[item.pk]) + "?month=2026-03",
    }
    pages = {}
    for name, url in urls.items():
        response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)
        pages[name] = response.content.decode()
    return pages


def test_an_analyst_sees_no_personal_data_on_any_finance_admin_page(client, paid):
    client.force_login(UserFactory(username="analyst", roles=["Analyst"]))

    for name, html in _pages(client, paid).items():
        for secret in SECRETS:
            assert secret not in html, (name, secret)
    page = _pages(client, paid)["item page"]
    assert "phone_number: (hidden)" in page  # the audit trail says it changed, not to what
    assert "FIN-0500" in page


def test_finance_sees_the_personal_data_in_the_history_and_on_the_statement(client, paid):
    client.force_login(UserFactory(username="fin", roles=["Finance"]))

    pages = _pages(client, paid)

    assert PHONE in pages["item page"] and DETAILS in pages["item page"]
    assert REFERENCE in pages["statement page"] and METHOD in pages["statement page"]


def test_the_audit_trail_admin_hides_personal_values_from_a_role_without_the_permission(
    client, paid
):
    # A role that may read the audit trail but not the payees' personal data.
    reader = UserFactory(username="auditor", roles=["Analyst"])
    reader.user_permissions.add(Permission.objects.get(codename="view_auditentry"))
    client.force_login(reader)
    entries = reverse("admin:core_auditentry_changelist")
    recorded = AuditEntry.objects.filter(object_id=str(paid["item"].pk), action="update").get()

    listing = client.get(entries).content.decode()
    page = client.get(reverse("admin:core_auditentry_change", args=[recorded.pk]))

    assert page.status_code == 200
    for html in (listing, page.content.decode()):
        assert "FIN-0500" in html
        assert "phone_number: (hidden)" in html
        for secret in SECRETS:
            assert secret not in html


def test_an_owner_sees_the_personal_values_in_the_audit_trail_admin(client, paid):
    client.force_login(UserFactory(username="owner2", roles=["Owner"]))
    listing = client.get(reverse("admin:core_auditentry_changelist")).content.decode()
    assert PHONE in listing


def test_the_board_csv_export_leaves_out_how_statements_were_paid_for_an_analyst(client, paid):
    client.force_login(UserFactory(username="analyst", roles=["Analyst"]))

    export = client.get(reverse("admin:finance_payments_board") + "?month=2026-03&format=csv")

    rows = list(csv.reader(io.StringIO(export.content.decode())))
    assert "payment_method" not in rows[0] and "payment_reference" not in rows[0]
    assert rows[1][rows[0].index("finance_item")] == "FIN-0500"
    for secret in SECRETS:
        assert secret not in export.content.decode()


def test_the_mark_paid_form_does_not_prefill_the_payees_method_for_a_role_without_it(client, paid):
    # May change statements (record payments) but not see the payees' personal data.
    clerk = UserFactory(username="clerk", roles=["Analyst"])
    clerk.user_permissions.add(Permission.objects.get(codename="change_payoutstatement"))
    client.force_login(clerk)

    form = client.get(reverse("admin:finance_mark_paid", args=[paid["statement"].pk]))

    assert form.status_code == 200
    assert METHOD not in form.content.decode()


def test_the_item_form_keeps_the_personal_data_of_an_item_edited_by_finance(client, paid):
    client.force_login(UserFactory(username="fin", roles=["Finance"]))
    page = client.get(reverse("admin:finance_financeitem_change", args=[paid["item"].pk]))
    assert 'name="phone_number"' in page.content.decode()
    assert FinanceItem.objects.get(pk=paid["item"].pk).phone_number == PHONE
